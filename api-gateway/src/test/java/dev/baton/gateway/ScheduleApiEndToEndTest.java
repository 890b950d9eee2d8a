package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.AuditRecord;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.platform.Topics;
import dev.baton.scheduler.api.ScheduleTimes;
import dev.baton.scheduler.Scheduler;
import dev.baton.scheduler.SchedulerConfig;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule endpoints against the real broker with a real scheduler (real clock): next fire times and last ticks,
 * pause and resume through the API stopping and restarting the run requests of a one-second schedule, 404s and
 * roles. No coordinator: the run requests on {@code run-requests} are what the scheduler does.
 */
@WithKafka
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("try")
class ScheduleApiEndToEndTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String SCHED = """
            name: sched
            schedules:
              - name: nightly
                cron: "30 2 * * *"
                timezone: Europe/Berlin
              - name: fast
                every: PT1S
            steps:
              - { key: one, noop: {} }
            """;
    static final String WEEKDAYS = """
            name: sched_weekdays
            schedule: { cron: "0 6 * * MON-FRI", timezone: America/New_York }
            steps:
              - { key: one, noop: {} }
            """;
    static final String PLAIN = """
            name: sched_plain
            steps:
              - { key: one, noop: {} }
            """;
    static final String FAST = "/api/v1/jobs/sched/schedules/fast";
    static final String NIGHTLY = "/api/v1/jobs/sched/schedules/nightly";

    final ApiTokens.NewToken admin = ApiTokens.create("admin", Role.ADMIN);
    final ApiTokens.NewToken operator = ApiTokens.create("ops", Role.OPERATOR);
    final ApiTokens.NewToken viewer = ApiTokens.create("watcher", Role.VIEWER);

    Topics topics;
    TestCluster cluster;
    Scheduler scheduler;
    Gateway gateway;
    Rest rest;
    TopicProbe<RunRequest> requests;

    @BeforeAll
    void start(TestCluster cluster, Vertx vertx, @TempDir Path dir) {
        this.cluster = cluster;
        topics = cluster.createTopics(cluster.newTopics("schedapi"));
        Map<String, Object> sc = new HashMap<>(cluster.config(topics));
        sc.put(SchedulerConfig.STATE_DIR, dir.resolve("scheduler").toString());
        sc.put(SchedulerConfig.INSTANCE_ID, "schedule-api-test");
        sc.put(SchedulerConfig.TICK_INTERVAL_MS, 50L);
        sc.put(SchedulerConfig.SENSORS_ENABLED, false);
        sc.put(SchedulerConfig.SESSION_TIMEOUT_MS, 6000);
        scheduler = Scheduler.start(new SchedulerConfig(sc), new SimpleMeterRegistry());

        Map<String, Object> gc = new HashMap<>(cluster.config(topics));
        gc.put(GatewayConfig.PORT, 0);
        gc.put(GatewayConfig.STATE_DIR, dir.resolve("gateway").toString());
        gc.put(GatewayConfig.TOKENS_ENV, false);
        gc.put("token.admin", admin.envValue());
        gc.put("token.ops", operator.envValue());
        gc.put("token.watcher", viewer.envValue());
        gateway = Gateway.start(new GatewayConfig(gc), new SimpleMeterRegistry());
        rest = new Rest(vertx, gateway.port());
        requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rest.get("/health", null).status()).isEqualTo(200));
        for (String job : List.of(SCHED, WEEKDAYS, PLAIN)) {
            Rest.Response r = rest.post("/api/v1/jobs", admin.token(), "application/yaml", job);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {requests, rest, gateway, scheduler}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    // ---- helpers ----

    JsonNode get(String path) {
        Rest.Response r = rest.get(path, viewer.token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** Waits until GET {@code path} answers with a body that satisfies {@code condition}, and returns it. */
    JsonNode awaitGet(String path, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            last[0] = get(path);
            assertThat(condition).as("%s", last[0]).accepts(last[0]);
        });
        return last[0];
    }

    static Instant instant(JsonNode n) {
        return Instant.parse(n.asText());
    }

    static List<Instant> instants(JsonNode array) {
        List<Instant> out = new ArrayList<>();
        array.forEach(n -> out.add(instant(n)));
        return out;
    }

    static Instant tickOf(RunRequest r) {
        return Instant.parse(r.getRunKey().substring(r.getRunKey().indexOf('@') + 1));
    }

    static boolean isFast(RunRequest r) {
        return r.getRunKey() != null && r.getRunKey().startsWith("schedule:sched/fast@");
    }

    static JsonNode item(JsonNode list, String job, String schedule) {
        for (JsonNode i : list.get("items")) {
            if (i.get("job").asText().equals(job) && i.get("schedule").asText().equals(schedule)) {
                return i;
            }
        }
        throw new AssertionError("no " + job + "/" + schedule + " in " + list);
    }

    // ---- tests ----

    @Test
    void listsEverySchedulesNextFireTimesInItsTimeZoneAndItsLastTicksWithTheirRuns() {
        Instant before = Instant.now();
        JsonNode all = get("/api/v1/schedules");
        assertThat(all.get("items")).extracting(i -> i.get("job").asText() + "/" + i.get("schedule").asText())
                .containsSubsequence("sched/fast", "sched/nightly", "sched_weekdays/default")
                .noneMatch(k -> k.startsWith("sched_plain/"));

        JsonNode nightly = item(all, "sched", "nightly");
        assertThat(nightly.get("cron").asText()).isEqualTo("30 2 * * *");
        assertThat(nightly.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(nightly.get("paused").asBoolean()).isFalse();
        List<Instant> times = instants(nightly.get("nextFireTimes"));
        assertThat(times).hasSize(5);
        assertThat(times.get(0)).isAfter(before.minusSeconds(1)).isBefore(before.plus(Duration.ofHours(26)));
        // Each is 02:30 Berlin wall-clock time of its day (as java.time resolves it on a DST day), one a day.
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        for (Instant t : times) {
            assertThat(t).isEqualTo(ZonedDateTime.ofLocal(t.atZone(berlin).toLocalDate().atTime(2, 30), berlin, null).toInstant());
        }
        // What is shown is what the scheduler's calculator says.
        assertThat(times).isEqualTo(ScheduleTimes.of("30 2 * * *", null, "Europe/Berlin", null, null).next(times.get(0).minusMillis(1), 5));

        JsonNode weekdays = item(all, "sched_weekdays", "default");
        ZoneId ny = ZoneId.of("America/New_York");
        for (Instant t : instants(weekdays.get("nextFireTimes"))) {
            ZonedDateTime local = t.atZone(ny);
            assertThat(local.toLocalTime()).isEqualTo(LocalTime.of(6, 0));
            assertThat(local.getDayOfWeek()).isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
        }

        JsonNode fast = item(all, "sched", "fast");
        assertThat(fast.get("every").asText()).isEqualTo("PT1S");
        assertThat(fast.get("intervalMs").asLong()).isEqualTo(1000L);
        List<Instant> fastTimes = instants(fast.get("nextFireTimes"));
        for (int i = 1; i < fastTimes.size(); i++) {
            assertThat(Duration.between(fastTimes.get(i - 1), fastTimes.get(i))).isEqualTo(Duration.ofSeconds(1));
        }

        // ?next=N on one schedule and on a job's schedules; more than 100 is refused.
        assertThat(get(NIGHTLY + "?next=12").get("nextFireTimes")).hasSize(12);
        JsonNode ofJob = get("/api/v1/jobs/sched/schedules?next=2");
        assertThat(ofJob.get("items")).extracting(i -> i.get("schedule").asText()).containsExactly("nightly", "fast");
        assertThat(ofJob.get("items").get(0).get("nextFireTimes")).hasSize(2);
        assertThat(get("/api/v1/jobs/sched_plain/schedules").get("items")).isEmpty();
        Rest.Response tooMany = rest.get(NIGHTLY + "?next=101", viewer.token());
        assertThat(tooMany.status()).as(tooMany.toString()).isEqualTo(400);
        assertThat(tooMany.json().get("code").asText()).isEqualTo("invalid_request");

        // The scheduler's ticks of the one-second schedule, with the runs they requested.
        JsonNode ticked = awaitGet(FAST, v -> v.get("seenByScheduler").asBoolean() && v.get("lastTicks").size() >= 2);
        JsonNode tick = ticked.get("lastTicks").get(0);
        assertThat(tick.get("outcome").asText()).isEqualTo("REQUESTED");
        RunRequest request = requests.await(r -> r.getRunId().equals(tick.get("runId").asText()), WAIT);
        assertThat(request.getRunKey()).isEqualTo("schedule:sched/fast@" + tick.get("tick").asText());
        assertThat(request.getOrigin()).isEqualTo(Origin.SCHEDULE);
        assertThat(instant(ticked.get("lastTicks").get(0).get("tick"))).isAfter(instant(ticked.get("lastTicks").get(1).get("tick")));
    }

    @Test
    void pauseAndResumeThroughTheApiStopAndRestartTheRunRequests() {
        try (TopicProbe<AuditRecord> audit = TopicProbe.avro(cluster, topics.audit(), AuditRecord.class)) {
            awaitGet(FAST, v -> v.get("lastTicks").size() > 0 && !v.get("paused").asBoolean());
            requests.await(ScheduleApiEndToEndTest::isFast, WAIT);

            Rest.Response pause = rest.postJson(FAST + "/pause", operator.token(), Map.of("reason", "maintenance"));
            assertThat(pause.status()).as(pause.toString()).isEqualTo(202);
            assertThat(pause.headers().get("Location")).isEqualTo(FAST);
            assertThat(pause.json().get("paused").asBoolean()).isTrue();
            assertThat(pause.json().get("pauseOverride").asBoolean()).isTrue();
            assertThat(pause.json().get("actor").asText()).isEqualTo("ops");

            JsonNode paused = awaitGet(FAST, v -> v.get("paused").asBoolean() && !v.has("pendingChange"));
            assertThat(paused.get("pausedBy").asText()).isEqualTo("runtime");
            assertThat(paused.get("pauseActor").asText()).isEqualTo("ops");
            assertThat(paused.get("pauseReason").asText()).isEqualTo("maintenance");
            assertThat(paused.get("pausedInFile").asBoolean()).isFalse();
            Instant pausedAt = instant(paused.get("cursor"));
            // The scheduler lets at least two ticks pass without running them.
            JsonNode later = awaitGet(FAST, v -> instant(v.get("cursor")).isAfter(pausedAt.plusSeconds(2)));
            Instant passedUntil = instant(later.get("cursor"));
            assertThat(instant(later.get("lastTicks").get(0).get("tick"))).isBeforeOrEqualTo(pausedAt);
            assertThat(get("/api/v1/schedules").get("items")).anyMatch(i -> i.get("schedule").asText().equals("fast")
                    && i.get("paused").asBoolean());

            Rest.Response resume = rest.postJson(FAST + "/resume", operator.token(), null);
            assertThat(resume.status()).as(resume.toString()).isEqualTo(202);
            assertThat(resume.json().get("paused").asBoolean()).isFalse();
            assertThat(resume.json().has("pauseOverride")).as("the job file decides again").isFalse();
            JsonNode resumed = awaitGet(FAST, v -> !v.get("paused").asBoolean() && !v.has("pendingChange"));
            assertThat(resumed.has("pauseOverride")).isFalse();

            RunRequest next = requests.await(r -> isFast(r) && tickOf(r).isAfter(passedUntil), WAIT);
            assertThat(requests.values()).filteredOn(ScheduleApiEndToEndTest::isFast)
                    .as("no run for a tick that passed while paused")
                    .noneMatch(r -> tickOf(r).isAfter(pausedAt) && !tickOf(r).isAfter(passedUntil));
            awaitGet(FAST, v -> {
                for (JsonNode t : v.get("lastTicks")) {
                    if (next.getRunId().equals(t.path("runId").asText())) {
                        return true;
                    }
                }
                return false;
            });

            AuditRecord paused202 = audit.await(a -> a.getAction().equals("schedules.pause") && a.getStatus() == 202, WAIT);
            assertThat(paused202.getActor()).isEqualTo("ops");
            assertThat(paused202.getResource()).isEqualTo("jobs/sched/schedules/fast");
            assertThat(paused202.getDetails()).containsEntry("reason", "maintenance").containsEntry("schedule", "fast");
            AuditRecord resumed202 = audit.await(a -> a.getAction().equals("schedules.resume") && a.getStatus() == 202, WAIT);
            assertThat(resumed202.getResource()).isEqualTo("jobs/sched/schedules/fast");
        }
    }

    @Test
    void unknownJobsAndSchedulesAre404AndAViewerMayNotPause() {
        for (String path : List.of("/api/v1/jobs/nope/schedules", "/api/v1/jobs/nope/schedules/nightly",
                "/api/v1/jobs/sched/schedules/nope")) {
            Rest.Response r = rest.get(path, viewer.token());
            assertThat(r.status()).as(path + " " + r).isEqualTo(404);
            assertThat(r.json().get("code").asText()).isEqualTo("not_found");
        }
        for (String path : List.of("/api/v1/jobs/nope/schedules/nightly/pause", "/api/v1/jobs/sched/schedules/nope/pause",
                "/api/v1/jobs/sched/schedules/nope/resume")) {
            Rest.Response r = rest.postJson(path, operator.token(), null);
            assertThat(r.status()).as(path + " " + r).isEqualTo(404);
        }
        try (TopicProbe<AuditRecord> audit = TopicProbe.avro(cluster, topics.audit(), AuditRecord.class)) {
            Rest.Response forbidden = rest.postJson(NIGHTLY + "/pause", viewer.token(), null);
            assertThat(forbidden.status()).as(forbidden.toString()).isEqualTo(403);
            assertThat(forbidden.json().get("code").asText()).isEqualTo("forbidden");
            Rest.Response anonymous = rest.postJson(NIGHTLY + "/pause", null, null);
            assertThat(anonymous.status()).isEqualTo(401);
            AuditRecord refused = audit.await(a -> a.getAction().equals("schedules.pause") && a.getStatus() == 403, WAIT);
            assertThat(refused.getActor()).isEqualTo("watcher");
            assertThat(refused.getResource()).isEqualTo("jobs/sched/schedules/nightly");
        }
        // Nothing was written: neither applied nor pending.
        JsonNode nightly = get(NIGHTLY);
        assertThat(nightly.get("paused").asBoolean()).isFalse();
        assertThat(nightly.has("pendingChange")).isFalse();
        assertThat(nightly.has("pauseOverride")).isFalse();
    }
}
