package dev.baton.alerting.internal;

import dev.baton.events.Incident;

/** The writable side of the incident state, for the applier only. */
public interface IncidentState extends IncidentView {
    void putIncident(Incident incident);

    void putGroup(GroupState group);
}
