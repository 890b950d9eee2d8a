package dev.baton.alerting.internal;

import dev.baton.events.AlertCondition;
import dev.baton.events.Incident;
import dev.baton.events.IncidentAcknowledged;
import dev.baton.events.IncidentCommandRejected;
import dev.baton.events.IncidentEscalated;
import dev.baton.events.IncidentEvent;
import dev.baton.events.IncidentOccurred;
import dev.baton.events.IncidentOpened;
import dev.baton.events.IncidentResolved;
import dev.baton.events.IncidentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides the incident events for one signal from the state (read only). Pure: time comes from the signal, ids from
 * the signal and the group. Grouping: one open incident per (rule, job, subject); a second occurrence for the same run
 * (a step failure and then its run's failure) is not counted twice; an occurrence older than the last time its
 * condition cleared is stale and changes nothing.
 */
public final class IncidentDecider {

    public List<IncidentEvent> fired(Signal.Fired f, List<Rule> rules, IncidentView state) {
        List<IncidentEvent> out = new ArrayList<>();
        Long cleared = state.clearedAt(Groups.clearKey(f.condition(), f.job(), f.subject()));
        if (cleared != null && cleared >= f.at()) {
            return out;
        }
        Instant at = Instant.ofEpochMilli(f.at());
        for (Rule rule : rules) {
            String key = Groups.key(rule.id(), f.job(), f.subject());
            GroupState g = state.group(key);
            Incident open = g.openIncidentId() == null ? null : state.incident(g.openIncidentId());
            if (open == null) {
                String id = Groups.incidentId(key, g.incidents() + 1);
                Incident inc = Incident.newBuilder()
                        .setIncidentId(id).setRuleId(rule.id()).setRuleName(rule.spec().getName())
                        .setCondition(f.condition()).setSeverity(rule.spec().getSeverity())
                        .setJob(f.job()).setSubject(f.subject()).setStatus(IncidentStatus.OPEN).setOccurrences(1)
                        .setOpenedAt(at).setLastOccurredAt(at).setMessage(f.message()).setLastRunId(f.runId())
                        .setEscalated(false).setAcknowledgedAt(null).setAcknowledgedBy(null).setResolvedAt(null)
                        .setResolution(null).setDestinations(rule.spec().getDestinations()).build();
                out.add(event(f.sourceId(), at, inc, "opened", new IncidentOpened(f.message(), f.runId())));
                continue;
            }
            if (f.runId() != null && f.runId().equals(open.getLastRunId())) {
                continue; // the same run again (step_failed, then run_failed): one occurrence per run
            }
            Incident more = Incident.newBuilder(open).setOccurrences(open.getOccurrences() + 1).setLastOccurredAt(at)
                    .setMessage(f.message()).setLastRunId(f.runId()).build();
            out.add(event(f.sourceId(), at, more, "occurred", new IncidentOccurred(f.message(), f.runId())));
            int escalateAfter = rule.spec().getEscalateAfter();
            if (escalateAfter > 0 && more.getOccurrences() >= escalateAfter && !more.getEscalated()
                    && more.getStatus() == IncidentStatus.OPEN) {
                Incident escalated = Incident.newBuilder(more).setEscalated(true).build();
                out.add(event(f.sourceId(), at, escalated, "escalated", new IncidentEscalated(escalated.getOccurrences())));
            }
        }
        return out;
    }

    public List<IncidentEvent> cleared(Signal.Cleared c, IncidentView state) {
        List<IncidentEvent> out = new ArrayList<>();
        Instant at = Instant.ofEpochMilli(c.at());
        for (Incident open : state.openIncidents()) {
            if (c.conditions().contains(open.getCondition()) && Objects.equals(open.getJob(), c.job())
                    && Objects.equals(open.getSubject(), c.subject()) && !open.getLastOccurredAt().isAfter(at)) {
                Incident resolved = Incident.newBuilder(open).setStatus(IncidentStatus.RESOLVED).setResolvedAt(at)
                        .setResolution(c.reason()).build();
                out.add(event(c.sourceId(), at, resolved, "resolved", new IncidentResolved(c.reason(), c.runId())));
            }
        }
        return out;
    }

    public IncidentEvent acknowledge(Signal.Acknowledge a, IncidentView state) {
        Instant at = Instant.ofEpochMilli(a.at());
        Incident inc = state.incident(a.incidentId());
        String rejection = inc == null ? "no incident " + a.incidentId()
                : switch (inc.getStatus()) {
                    case OPEN -> null;
                    case ACKNOWLEDGED -> "incident " + a.incidentId() + " is already acknowledged by " + inc.getAcknowledgedBy();
                    case RESOLVED -> "incident " + a.incidentId() + " is already resolved";
                };
        if (rejection != null) {
            return IncidentEvent.newBuilder().setEventId(Groups.eventId(a.sourceId(), a.incidentId(), "rejected"))
                    .setIncidentId(a.incidentId()).setTimestamp(at).setTraceId(a.sourceId())
                    .setPayload(new IncidentCommandRejected("acknowledge", rejection, a.sourceId())).setIncident(inc).build();
        }
        Incident acked = Incident.newBuilder(inc).setStatus(IncidentStatus.ACKNOWLEDGED).setAcknowledgedAt(at)
                .setAcknowledgedBy(a.actor()).build();
        return event(a.sourceId(), at, acked, "acknowledged", new IncidentAcknowledged(a.actor(), a.note()));
    }

    private static IncidentEvent event(String sourceId, Instant at, Incident after, String what, Object payload) {
        return IncidentEvent.newBuilder().setEventId(Groups.eventId(sourceId, after.getIncidentId(), what))
                .setIncidentId(after.getIncidentId()).setTimestamp(at).setTraceId(sourceId).setPayload(payload)
                .setIncident(after).build();
    }

    /** Conditions that the given one's clearing signal also clears (kept here so that the extractors agree). */
    public static List<AlertCondition> clearedBySuccess() {
        return List.of(AlertCondition.RUN_FAILED, AlertCondition.STEP_FAILED);
    }
}
