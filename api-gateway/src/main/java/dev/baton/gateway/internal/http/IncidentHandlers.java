package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.AcknowledgeIncident;
import dev.baton.events.AlertDestination;
import dev.baton.events.AlertEmail;
import dev.baton.events.AlertSlack;
import dev.baton.events.AlertWebhook;
import dev.baton.events.Incident;
import dev.baton.events.IncidentCommand;
import dev.baton.events.IncidentStatus;
import dev.baton.platform.CompactedTopicView;
import dev.baton.schemas.serde.AvroSerde;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Incident endpoints (docs/alerts.md): list and show the incidents of the alerting component, read from the compacted
 * {@code incidents-latest} topic, and acknowledge one by sending a command to {@code incident-control} (the alerting
 * component decides; the answer is 202). A job-scoped token sees only the incidents of its jobs. Kafka work runs on
 * the worker.
 */
final class IncidentHandlers {
    private static final int MAX_NOTE = 1000;
    private static final java.util.regex.Pattern CURSOR = java.util.regex.Pattern.compile("\\d{19}\\|inc-[0-9a-f]{1,32}");

    /** An incident as the API shows it. Destination URLs are not shown (they may hold secrets): only their kinds. */
    record IncidentView(String incidentId, String ruleId, String ruleName, String condition, String severity, String job,
                        String subject, String status, int occurrences, String openedAt, String lastOccurredAt, String message,
                        String lastRunId, boolean escalated, String acknowledgedAt, String acknowledgedBy, String resolvedAt,
                        String resolution, List<String> destinations) {
        static IncidentView of(Incident i) {
            return new IncidentView(i.getIncidentId(), i.getRuleId(), i.getRuleName(),
                    i.getCondition().name().toLowerCase(Locale.ROOT), i.getSeverity().name(), i.getJob(), i.getSubject(),
                    i.getStatus().name(), i.getOccurrences(), text(i.getOpenedAt()), text(i.getLastOccurredAt()), i.getMessage(),
                    i.getLastRunId(), i.getEscalated(), text(i.getAcknowledgedAt()), i.getAcknowledgedBy(),
                    text(i.getResolvedAt()), i.getResolution(), i.getDestinations().stream().map(IncidentView::kind).toList());
        }

        private static String text(Instant t) {
            return t == null ? null : t.toString();
        }

        private static String kind(AlertDestination d) {
            return switch (d.getDestination()) {
                case AlertWebhook w -> "webhook";
                case AlertSlack s -> "slack";
                case AlertEmail e -> "email";
                default -> "other";
            };
        }
    }

    record IncidentPage(List<IncidentView> items, int limit, String nextCursor) {}

    record AckAccepted(String incidentId, String status, String acknowledgedBy) {}

    private final Services s;
    private final Replies api;
    private final Http http;
    private final AvroSerde<Incident> incidentSerde;
    private final AvroSerde<IncidentCommand> commandSerde;
    private CompactedTopicView<Incident> view; // opened on first use, on the worker

    IncidentHandlers(Services services, Replies replies, Http http) {
        this.s = services;
        this.api = replies;
        this.http = http;
        this.incidentSerde = AvroSerde.forValues(Incident.class, services.config().registry());
        this.commandSerde = AvroSerde.forValues(IncidentCommand.class, services.config().registry());
    }

    /** The incidents as of now. Blocking. */
    private synchronized List<Incident> incidents() {
        if (view == null) {
            String topic = s.topics().incidentsLatest();
            view = CompactedTopicView.open(s.config().kafkaClient(), topic, true, b -> incidentSerde.deserialize(topic, b));
        }
        return view.refresh().values();
    }

    private Incident find(RoutingContext ctx, String id) {
        return incidents().stream().filter(i -> i.getIncidentId().equals(id) && visible(ctx, i)).findFirst()
                .orElseThrow(() -> ApiError.notFound("no incident " + id));
    }

    private static boolean visible(RoutingContext ctx, Incident i) {
        return AccessControl.scope(ctx).unrestricted() || i.getJob() != null && AccessControl.allows(ctx, i.getJob());
    }

    /** Newest first: the key orders by opening time descending, then id. */
    private static String order(Incident i) {
        return String.format("%019d|%s", Long.MAX_VALUE - i.getOpenedAt().toEpochMilli(), i.getIncidentId());
    }

    /** {@code GET /api/v1/incidents?status=OPEN,ACKNOWLEDGED&job=...}: newest first, paged. */
    void list(RoutingContext ctx) {
        int limit = Requests.limit(ctx, s.config());
        String after = Requests.cursor(ctx, CURSOR);
        Set<IncidentStatus> statuses = statuses(ctx.request().getParam("status"));
        String job = ctx.request().getParam("job");
        api.reply(ctx, api.blocking(() -> {
            List<Incident> all = incidents().stream()
                    .filter(i -> visible(ctx, i))
                    .filter(i -> statuses.isEmpty() || statuses.contains(i.getStatus()))
                    .filter(i -> job == null || job.isBlank() || job.equals(i.getJob()))
                    .filter(i -> after == null || order(i).compareTo(after) > 0)
                    .sorted(Comparator.comparing(IncidentHandlers::order))
                    .toList();
            List<IncidentView> items = new ArrayList<>();
            for (Incident i : all.subList(0, Math.min(limit, all.size()))) {
                items.add(IncidentView.of(i));
            }
            String next = all.size() > limit ? dev.baton.gateway.internal.api.Page.encodeCursor(order(all.get(limit - 1))) : null;
            return new IncidentPage(items, limit, next);
        }).map(page -> {
            http.json(ctx, 200, page);
            return null;
        }));
    }

    private static Set<IncidentStatus> statuses(String param) {
        if (param == null || param.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(param.split(",")).map(String::strip).filter(x -> !x.isEmpty()).map(x -> {
            try {
                return IncidentStatus.valueOf(x.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("status must be OPEN, ACKNOWLEDGED or RESOLVED (comma-separated), got '" + x + "'");
            }
        }).collect(Collectors.toSet());
    }

    /** {@code GET /api/v1/incidents/{incidentId}}. */
    void get(RoutingContext ctx) {
        String id = ctx.pathParam("incidentId");
        api.reply(ctx, api.blocking(() -> IncidentView.of(find(ctx, id))).map(v -> {
            http.json(ctx, 200, v);
            return null;
        }));
    }

    /** {@code POST /api/v1/incidents/{incidentId}/ack} with an optional {@code {"note": "..."}}: 202, or 404/409. */
    void acknowledge(RoutingContext ctx) {
        String id = ctx.pathParam("incidentId");
        JsonNode body = Requests.jsonBody(ctx);
        String note = Requests.text(body, "note");
        if (note != null && note.length() > MAX_NOTE) {
            throw ApiError.badRequest("note is at most " + MAX_NOTE + " characters");
        }
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        String actor = who == null ? "api" : who.name();
        api.reply(ctx, api.blocking(() -> find(ctx, id)).compose(i -> {
            Http.audit(ctx, "job", i.getJob());
            switch (i.getStatus()) {
                case RESOLVED -> throw ApiError.conflict("incident " + id + " is already resolved");
                case ACKNOWLEDGED -> throw ApiError.conflict("incident " + id + " is already acknowledged by " + i.getAcknowledgedBy());
                case OPEN -> { }
            }
            IncidentCommand c = IncidentCommand.newBuilder().setEventId(UUID.randomUUID().toString()).setIncidentId(id)
                    .setTimestamp(Instant.now()).setTraceId(Http.requestId(ctx)).setActor(actor)
                    .setCommand(new AcknowledgeIncident(note == null ? "" : note)).build();
            return s.producer().send(s.vertx(), s.worker(), s.topics().incidentControl(), id, c).map(md -> {
                http.json(ctx, 202, new AckAccepted(id, "ACKNOWLEDGING", actor));
                return null;
            });
        }));
    }

    synchronized void close() {
        if (view != null) {
            view.close();
        }
    }

}
