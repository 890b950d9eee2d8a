package dev.baton.alerting.internal;

import dev.baton.events.IncidentAcknowledged;
import dev.baton.events.IncidentCommandRejected;
import dev.baton.events.IncidentEscalated;
import dev.baton.events.IncidentEvent;
import dev.baton.events.IncidentOccurred;
import dev.baton.events.IncidentOpened;
import dev.baton.events.IncidentResolved;

/** The only code that changes incident state: one case per event type. Pure (no clock, no I/O). */
public final class IncidentApplier {

    public void apply(IncidentEvent e, IncidentState state) {
        switch (e.getPayload()) {
            case IncidentOpened x -> {
                String key = Groups.key(e.getIncident());
                GroupState g = state.group(key);
                state.putIncident(e.getIncident());
                state.putGroup(new GroupState(key, g.incidents() + 1, e.getIncidentId()));
            }
            case IncidentOccurred x -> state.putIncident(e.getIncident());
            case IncidentEscalated x -> state.putIncident(e.getIncident());
            case IncidentAcknowledged x -> state.putIncident(e.getIncident());
            case IncidentResolved x -> {
                String key = Groups.key(e.getIncident());
                GroupState g = state.group(key);
                state.putIncident(e.getIncident());
                state.putGroup(new GroupState(key, g.incidents(), null));
            }
            case IncidentCommandRejected x -> { } // a rejection records why nothing changed
            default -> throw new IllegalArgumentException("unknown incident event " + e.getPayload().getClass().getName());
        }
    }
}
