package dev.baton.gateway.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.JobDefinition;
import dev.baton.events.ScheduleSpec;
import dev.baton.gateway.internal.api.Page;
import dev.baton.gateway.internal.api.ScheduleResponses;
import dev.baton.gateway.internal.readmodel.ApiStatus;
import dev.baton.gateway.internal.readmodel.ReadStores;
import dev.baton.gateway.internal.readmodel.RunView;
import dev.baton.gateway.internal.schedules.ScheduleViews;
import dev.baton.gateway.internal.schedules.Schedules;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Schedule endpoints: list and show schedules with their next fire times and last ticks, pause and resume them.
 * Definitions come from the read model (as for jobs), pause state and ticks from the scheduler's published statuses,
 * and pause/resume commands go to the scheduler's control topic. Every handler does its Kafka work on the worker.
 */
final class ScheduleHandlers {
    private static final int MAX_REASON = 1000;

    private final Services s;
    private final ReadStores stores;
    private final Replies replies;
    private final Http http;

    ScheduleHandlers(Services services, ReadStores stores, Replies replies) {
        this.s = services;
        this.stores = stores;
        this.replies = replies;
        this.http = replies.http();
    }

    private Schedules schedules() {
        return s.schedules();
    }

    static int next(RoutingContext ctx) {
        return Requests.intParam("next", ctx.request().getParam("next"), 0, ScheduleViews.MAX_NEXT, ScheduleViews.DEFAULT_NEXT);
    }

    /** The API status of a run, from the read model (null when it has not seen the run). Blocking. */
    private Function<String, String> runStatuses() {
        return runId -> stores.run(runId).map((RunView v) -> ApiStatus.run(v.status)).orElse(null);
    }

    private ScheduleResponses.Schedule view(JobDefinition def, ScheduleSpec spec, Instant now, int next) {
        return ScheduleViews.view(def, spec, schedules().status(def.getName(), spec.getName()).orElse(null),
                schedules().desired(def.getName(), spec.getName()).orElse(null), now, next, runStatuses());
    }

    /** The job's latest definition, or 404. Blocking. */
    private JobDefinition job(String name) {
        return JobHandlers.require(stores, name);
    }

    /** The schedule in the job's latest definition, or 404. */
    private static ScheduleSpec schedule(JobDefinition def, String name) {
        return def.getSchedules().stream().filter(x -> x.getName().equals(name)).findFirst()
                .orElseThrow(() -> ApiError.notFound("job '" + def.getName() + "' (version " + def.getVersion()
                        + ") has no schedule named '" + name + "' (its schedules: "
                        + def.getSchedules().stream().map(ScheduleSpec::getName).toList() + ")"));
    }

    /** One schedule of one job's latest definition. */
    private record JobSchedule(JobDefinition def, ScheduleSpec spec) {}

    /** {@code GET /api/v1/schedules}: every schedule of every job, by job and schedule name, paged. */
    void list(RoutingContext ctx) {
        int limit = Requests.limit(ctx, s.config());
        String after = Requests.cursor(ctx);
        int next = next(ctx);
        replies.reply(ctx, replies.blocking(() -> {
            TreeMap<String, JobSchedule> all = new TreeMap<>();
            for (JobDefinition def : stores.latestJobs().values()) {
                if (!AccessControl.allows(ctx, def.getName())) {
                    continue;
                }
                for (ScheduleSpec spec : def.getSchedules()) {
                    all.put(def.getName() + "/" + spec.getName(), new JobSchedule(def, spec));
                }
            }
            schedules().refresh();
            Instant now = Instant.now();
            List<ScheduleResponses.Schedule> items = new ArrayList<>();
            String nextOrder = null;
            String last = null;
            for (var e : (after == null ? all : all.tailMap(after, false)).entrySet()) {
                if (items.size() == limit) {
                    nextOrder = last;
                    break;
                }
                items.add(view(e.getValue().def(), e.getValue().spec(), now, next));
                last = e.getKey();
            }
            return Page.of(items, nextOrder, limit);
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    /** {@code GET /api/v1/jobs/{name}/schedules}: the schedules of one job, in the order of its file. */
    void listOfJob(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        int next = next(ctx);
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition def = job(name);
            schedules().refresh();
            Instant now = Instant.now();
            List<ScheduleResponses.Schedule> items = new ArrayList<>();
            for (ScheduleSpec spec : def.getSchedules()) {
                items.add(view(def, spec, now, next));
            }
            return new ScheduleResponses.OfJob(def.getName(), def.getVersion(), items);
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    /** {@code GET /api/v1/jobs/{name}/schedules/{schedule}[?next=N]}. */
    void get(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String schedule = ctx.pathParam("schedule");
        int next = next(ctx);
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition def = job(name);
            ScheduleSpec spec = schedule(def, schedule);
            schedules().refresh();
            return view(def, spec, Instant.now(), next);
        }).map(body -> {
            http.json(ctx, 200, body);
            return null;
        }));
    }

    /**
     * {@code POST .../pause} and {@code .../resume}. A pause sets a runtime override that wins over the job file until
     * the next resume. A resume of a schedule the job file does not pause removes the override, so that the file
     * decides again (a later {@code paused: true} in the file takes effect); of a schedule the file pauses, it sets
     * an override that runs it anyway.
     */
    void pauseOrResume(RoutingContext ctx, boolean pause) {
        String name = ctx.pathParam("name");
        String schedule = ctx.pathParam("schedule");
        JsonNode body = Requests.jsonBody(ctx);
        String reason = Requests.text(body, "reason");
        if (reason != null && reason.length() > MAX_REASON) {
            throw ApiError.badRequest("reason must be at most " + MAX_REASON + " characters");
        }
        TokenStore.Principal who = ctx.get(Http.PRINCIPAL);
        String actor = who == null ? null : who.name();
        Http.audit(ctx, "job", name);
        Http.audit(ctx, "schedule", schedule);
        if (reason != null) {
            Http.audit(ctx, "reason", reason);
        }
        replies.reply(ctx, replies.blocking(() -> {
            JobDefinition def = job(name);
            ScheduleSpec spec = schedule(def, schedule);
            Boolean override;
            if (pause) {
                schedules().pause(name, schedule, actor, reason);
                override = true;
            } else if (spec.getPaused()) {
                schedules().resume(name, schedule, actor, reason);
                override = false;
            } else {
                schedules().clear(name, schedule);
                override = null;
            }
            Http.audit(ctx, "version", def.getVersion());
            Http.audit(ctx, "pauseOverride", override == null ? "none" : override);
            return ScheduleViews.desired(name, spec, override, actor, reason);
        }).map(out -> {
            http.json(ctx, 202, out, Map.of("Location", "/api/v1/jobs/" + name + "/schedules/" + schedule));
            return null;
        }));
    }
}
