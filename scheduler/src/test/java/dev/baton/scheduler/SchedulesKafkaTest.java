package dev.baton.scheduler;

import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.ScheduleStatusView;
import dev.baton.scheduler.api.SchedulerControl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.JobDefinition;
import dev.baton.events.RunRequest;
import dev.baton.platform.Topics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.schedules.ScheduleIds;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** The schedule engine against the real broker, with a hand-driven clock for the schedules' "now". */
@WithKafka
@SuppressWarnings("try") // services started in try-with-resources and only closed there
class SchedulesKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static List<String> runKeys(TopicProbe<RunRequest> probe) {
        return probe.values().stream().map(RunRequest::getRunKey).toList();
    }

    private static void awaitStatus(ScheduleStatusView view, String job, String schedule,
                                     java.util.function.Predicate<ScheduleStatus> condition) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> view.refresh().get(job, schedule).filter(condition).isPresent());
    }

    @Test
    void aBerlinCronScheduleFiresOnceOnTheSpringForwardDayAtTheShiftedInstant(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("dst"));
        SchedulerConfig config = Support.config(cluster, topics, Map.of(SchedulerConfig.SENSORS_ENABLED, false));
        MutableClock clock = MutableClock.at("2026-03-28T23:00:00Z"); // 00:00 CET on the 29th
        JobDefinition job = TestJobs.withSchedules("dst", TestJobs.cron("daily", "30 2 * * *", "Europe/Berlin").build());
        try (Scheduler scheduler = Scheduler.start(config, new SimpleMeterRegistry(), clock);
             TestProducer producer = new TestProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class);
             ScheduleStatusView view = ScheduleStatusView.open(config);
             SchedulerControl control = SchedulerControl.create(config)) {
            producer.send(topics.jobs(), "dst", job);
            awaitStatus(view, "dst", "daily", s -> s.cursor() != null);
            assertThat(view.get("dst", "daily").orElseThrow().nextTicks())
                    .startsWith("2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z");

            clock.set("2026-03-29T01:29:59Z"); // 03:29:59 CEST: the shifted 02:30 is not due yet
            clock.set("2026-03-29T01:30:00.020Z");
            RunRequest first = requests.await(r -> true, WAIT);
            assertThat(first.getRunKey()).isEqualTo("schedule:dst/daily@2026-03-29T01:30:00Z");
            assertThat(first.getRunId()).isEqualTo(ScheduleIds.runId("dst", "daily", Instant.parse("2026-03-29T01:30:00Z")));

            // Pause through the control topic: the next day's tick passes without a run; after the resume the next one runs.
            control.pause("dst", "daily", "alice", "upgrade");
            awaitStatus(view, "dst", "daily", ScheduleStatus::paused);
            clock.set("2026-03-30T00:30:00.020Z");
            awaitStatus(view, "dst", "daily", s -> s.cursor().equals("2026-03-30T00:30:00.020Z"));
            control.resume("dst", "daily", "alice", null);
            awaitStatus(view, "dst", "daily", s -> !s.paused());
            clock.set("2026-03-31T00:30:00.020Z");
            requests.await(r -> r.getRunKey().endsWith("@2026-03-31T00:30:00Z"), WAIT);
            assertThat(runKeys(requests)).containsExactlyInAnyOrder(
                    "schedule:dst/daily@2026-03-29T01:30:00Z", "schedule:dst/daily@2026-03-31T00:30:00Z");
            awaitStatus(view, "dst", "daily", s -> s.lastTicks().size() == 2);
            assertThat(view.get("dst", "daily").orElseThrow().lastTicks()).extracting(ScheduleStatus.Tick::tick)
                    .containsExactly("2026-03-29T01:30:00Z", "2026-03-31T00:30:00Z");
        }
    }

    /**
     * Issue 20: the look sleeps while no tick is due, and a job change reaches it as the jobs-changed nudge the jobs
     * store sends to the control topic. The safety-net look is set out of the wait's reach, so only the nudge can make
     * the engine see a job registered while it runs.
     */
    @Test
    void aJobRegisteredWhileTheLookSleepsIsSeenThroughItsNudge(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("nudge"));
        SchedulerConfig config = Support.config(cluster, topics, Map.of(SchedulerConfig.SENSORS_ENABLED, false,
                SchedulerConfig.TICK_MAX_SLEEP_MS, Duration.ofHours(1).toMillis()));
        MutableClock clock = MutableClock.at("2026-01-01T00:00:30Z");
        try (Scheduler scheduler = Scheduler.start(config, new SimpleMeterRegistry(), clock);
             TestProducer producer = new TestProducer(cluster);
             ScheduleStatusView view = ScheduleStatusView.open(config)) {
            producer.send(topics.jobs(), "first", TestJobs.withSchedules("first", TestJobs.cron("hourly", "0 * * * *", "UTC").build()));
            awaitStatus(view, "first", "hourly", s -> s.cursor() != null);
            // The look that initialized it changed state, the next one changes nothing and sleeps: an hour.
            producer.send(topics.jobs(), "second", TestJobs.withSchedules("second", TestJobs.cron("daily", "0 2 * * *", "UTC").build()));
            awaitStatus(view, "second", "daily", s -> s.cursor() != null);
            assertThat(view.get("second", "daily").orElseThrow().nextTicks()).first().isEqualTo("2026-01-01T02:00:00Z");
        }
    }

    /** Crashes the engine once, right after the run request of the given tick was sent and before the commit. */
    private static final class CrashOnce implements Faults {
        private final Instant tick;
        private final StreamThreadExceptionResponse response;
        final AtomicBoolean fired = new AtomicBoolean();

        CrashOnce(String tick, StreamThreadExceptionResponse response) {
            this.tick = Instant.parse(tick);
            this.response = response;
        }

        @Override
        public void afterTickForwarded(String scheduleId, Instant t) {
            if (t.equals(tick) && fired.compareAndSet(false, true)) {
                throw new IllegalStateException("injected crash after forwarding tick " + t);
            }
        }

        @Override
        public StreamThreadExceptionResponse onEngineFailure(Throwable e) {
            return response;
        }
    }

    @Test
    void aSchedulerCrashingMidTickAndRestartedElsewhereRequestsEveryTickExactlyOnce(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("restart"));
        MutableClock clock = MutableClock.at("2026-01-01T00:00:30Z");
        JobDefinition job = TestJobs.withSchedules("every", TestJobs.cron("minute", "* * * * *", "UTC").build());
        Map<String, Object> noSensors = Map.of(SchedulerConfig.SENSORS_ENABLED, false);
        CrashOnce replaceThread = new CrashOnce("2026-01-01T00:02:00Z", StreamThreadExceptionResponse.REPLACE_THREAD);
        CrashOnce die = new CrashOnce("2026-01-01T00:03:00Z", StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        Faults faults = new Faults() {
            @Override
            public void afterTickForwarded(String id, Instant tick) {
                replaceThread.afterTickForwarded(id, tick);
                die.afterTickForwarded(id, tick);
            }

            @Override
            public StreamThreadExceptionResponse onEngineFailure(Throwable e) {
                return die.fired.get() ? die.onEngineFailure(e) : replaceThread.onEngineFailure(e);
            }
        };
        SchedulerConfig first = Support.config(cluster, topics, noSensors);
        try (TestProducer producer = new TestProducer(cluster);
             TopicProbe<RunRequest> requests = TopicProbe.avro(cluster, topics.runRequests(), RunRequest.class)) {
            producer.send(topics.jobs(), "every", job);
            Scheduler a = Scheduler.start(first, new SimpleMeterRegistry(), clock, faults);
            try (ScheduleStatusView view = ScheduleStatusView.open(first)) {
                // The schedule starts at the engine's first look at it (00:00:30); only later ticks run.
                awaitStatus(view, "every", "minute", s -> s.cursor() != null);
                clock.set("2026-01-01T00:01:00.010Z");
                requests.await(r -> r.getRunKey().endsWith("@2026-01-01T00:01:00Z"), WAIT);
                // Tick 2: the stream thread dies after sending the request; its transaction aborts, a new thread
                // restores the state from the changelog and requests the tick again.
                clock.set("2026-01-01T00:02:00.010Z");
                requests.await(r -> r.getRunKey().endsWith("@2026-01-01T00:02:00Z"), WAIT);
                assertThat(replaceThread.fired).isTrue();
                // Tick 3: the instance dies after sending the request (nothing commits).
                clock.set("2026-01-01T00:03:00.010Z");
                await().atMost(WAIT).until(() -> a.streams().state() == KafkaStreams.State.ERROR
                        || a.streams().state() == KafkaStreams.State.NOT_RUNNING);
            } finally {
                a.close();
            }
            // Another instance (fresh state directory, same application id) takes over within the grace period.
            clock.set("2026-01-01T00:03:20Z");
            try (Scheduler b = Scheduler.start(Support.config(cluster, topics, noSensors), new SimpleMeterRegistry(), clock)) {
                requests.await(r -> r.getRunKey().endsWith("@2026-01-01T00:03:00Z"), WAIT);
                clock.set("2026-01-01T00:04:00.010Z");
                requests.await(r -> r.getRunKey().endsWith("@2026-01-01T00:04:00Z"), WAIT);
            }
            // Closed cleanly between ticks; the next instance continues without a gap.
            clock.set("2026-01-01T00:05:00.010Z");
            try (Scheduler c = Scheduler.start(Support.config(cluster, topics, noSensors), new SimpleMeterRegistry(), clock)) {
                requests.await(r -> r.getRunKey().endsWith("@2026-01-01T00:05:00Z"), WAIT);
            }
            List<String> keys = runKeys(requests);
            assertThat(keys).containsExactlyInAnyOrder(
                    "schedule:every/minute@2026-01-01T00:01:00Z", "schedule:every/minute@2026-01-01T00:02:00Z",
                    "schedule:every/minute@2026-01-01T00:03:00Z", "schedule:every/minute@2026-01-01T00:04:00Z",
                    "schedule:every/minute@2026-01-01T00:05:00Z");
            assertThat(requests.values().stream().map(RunRequest::getRunId).distinct()).hasSize(5);
            assertThat(die.fired).isTrue();
        }
    }
}
