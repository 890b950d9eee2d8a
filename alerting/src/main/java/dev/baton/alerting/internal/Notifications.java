package dev.baton.alerting.internal;

import dev.baton.events.Alert;
import dev.baton.events.AlertTransition;
import dev.baton.events.Incident;
import dev.baton.events.IncidentEscalated;
import dev.baton.events.IncidentEvent;
import dev.baton.events.IncidentOpened;
import dev.baton.events.IncidentResolved;
import java.util.Locale;
import java.util.Optional;

/** Which incident events notify (opened, escalated, resolved) and what the notification says. Pure. */
public final class Notifications {
    private Notifications() {}

    public static Optional<Alert> alertFor(IncidentEvent e) {
        AlertTransition t = switch (e.getPayload()) {
            case IncidentOpened x -> AlertTransition.OPENED;
            case IncidentEscalated x -> AlertTransition.ESCALATED;
            case IncidentResolved x -> AlertTransition.RESOLVED;
            default -> null;
        };
        if (t == null) {
            return Optional.empty();
        }
        Incident i = e.getIncident();
        return Optional.of(Alert.newBuilder().setEventId(idempotencyKey(i.getIncidentId(), t)).setIncidentId(i.getIncidentId())
                .setTimestamp(e.getTimestamp()).setTraceId(e.getTraceId()).setTransition(t).setTitle(title(t, i))
                .setText(text(t, i)).setIncident(i).build());
    }

    /** What every destination receives to recognise a redelivery: {@code <incident id>:<transition>}. */
    public static String idempotencyKey(String incidentId, AlertTransition t) {
        return incidentId + ":" + t.name();
    }

    static String title(AlertTransition t, Incident i) {
        String what = i.getCondition().name().toLowerCase(Locale.ROOT) + ": " + about(i);
        String n = i.getOccurrences() + (i.getOccurrences() == 1 ? " occurrence" : " occurrences");
        return switch (t) {
            case OPENED -> "[" + i.getSeverity() + "] " + what;
            case ESCALATED -> "[ESCALATED " + i.getSeverity() + "] " + what + " (" + n + ")";
            case RESOLVED -> "[RESOLVED] " + what + " (after " + n + ")";
        };
    }

    static String about(Incident i) {
        if (i.getJob() != null && i.getSubject() != null) {
            return "job " + i.getJob() + ", " + i.getSubject();
        }
        if (i.getJob() != null) {
            return "job " + i.getJob();
        }
        return i.getSubject() == null ? i.getRuleName() : i.getSubject();
    }

    static String text(AlertTransition t, Incident i) {
        StringBuilder b = new StringBuilder();
        b.append(switch (t) {
            case OPENED -> i.getMessage();
            case ESCALATED -> "Still happening: " + i.getMessage();
            case RESOLVED -> "Resolved: " + (i.getResolution() == null ? "the condition cleared" : i.getResolution());
        });
        b.append("\nIncident ").append(i.getIncidentId()).append(" (rule ").append(i.getRuleId()).append("), ")
                .append(i.getOccurrences()).append(i.getOccurrences() == 1 ? " occurrence" : " occurrences")
                .append(" since ").append(i.getOpenedAt());
        if (i.getLastRunId() != null) {
            b.append(", last run ").append(i.getLastRunId());
        }
        if (i.getAcknowledgedBy() != null) {
            b.append(", acknowledged by ").append(i.getAcknowledgedBy());
        }
        return b.toString();
    }
}
