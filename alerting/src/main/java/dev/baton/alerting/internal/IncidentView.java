package dev.baton.alerting.internal;

import dev.baton.events.Incident;
import java.util.List;

/** What the decider may read of the incident engine's state. */
public interface IncidentView {
    /** The incident, or null. */
    Incident incident(String incidentId);

    /** The group's state; {@link GroupState#empty} when it never had an incident. */
    GroupState group(String groupKey);

    /** When (epoch ms) the condition last cleared for (condition, job, subject), or null. */
    Long clearedAt(String clearKey);

    /** Every open (or acknowledged, not yet resolved) incident. */
    List<Incident> openIncidents();
}
