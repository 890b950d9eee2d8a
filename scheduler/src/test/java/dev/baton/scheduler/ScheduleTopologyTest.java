package dev.baton.scheduler;

import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.SchedulerControl;
import dev.baton.scheduler.api.SchedulerTopics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.ControlCommand;
import dev.baton.events.JobDefinition;
import dev.baton.events.OverlapPolicy;
import dev.baton.events.RunEvent;
import dev.baton.events.RunRequest;
import dev.baton.events.RunSucceeded;
import dev.baton.events.CancelRun;
import dev.baton.events.Origin;
import dev.baton.platform.Topics;
import dev.baton.scheduler.internal.Faults;
import dev.baton.scheduler.internal.Json;
import dev.baton.scheduler.internal.SchedulerMetrics;
import dev.baton.scheduler.internal.schedules.ScheduleIds;
import dev.baton.scheduler.internal.schedules.ScheduleProcessor;
import dev.baton.schemas.serde.AvroSerde;
import dev.baton.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schedule engine's topology in memory: wall-clock punctuation drives ticks, state and outputs together. */
class ScheduleTopologyTest {
    private static final String SCOPE = "schedule-topology-test";
    private final Topics topics = new Topics("t.");
    private final Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + SCOPE);
    private final MutableClock clock = MutableClock.at("2026-01-01T00:00:30Z");
    private TopologyTestDriver driver;
    /** The jobs the jobs store announced as changed (production sends a nudge on the control topic for each). */
    private final List<String> changedJobs = new java.util.ArrayList<>();
    private TestInputTopic<String, byte[]> jobs;
    private TestInputTopic<String, byte[]> runEvents;
    private TestOutputTopic<String, byte[]> requests;
    private TestOutputTopic<String, byte[]> control;
    private TestOutputTopic<String, byte[]> status;
    private final AvroSerde<JobDefinition> jobSerde = AvroSerde.forValues(JobDefinition.class, registry);
    private final AvroSerde<RunRequest> requestSerde = AvroSerde.forValues(RunRequest.class, registry);
    private final AvroSerde<ControlCommand> controlSerde = AvroSerde.forValues(ControlCommand.class, registry);
    private final AvroSerde<RunEvent> eventSerde = AvroSerde.forValues(RunEvent.class, registry);

    @BeforeEach
    void start() {
        Map<String, Object> raw = new HashMap<>(registry);
        raw.put("bootstrap.servers", "unused:9092");
        raw.put("topic.prefix", topics.prefix());
        raw.put(SchedulerConfig.TICK_INTERVAL_MS, 100);
        SchedulerConfig config = new SchedulerConfig(raw);
        Properties p = Scheduler.streamsProperties(config);
        p.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(Scheduler.topology(config, new SchedulerMetrics(new SimpleMeterRegistry()), clock,
                Faults.NONE, changedJobs::add), p, Instant.parse("2026-01-01T00:00:00Z"));
        jobs = driver.createInputTopic(topics.jobs(), new StringSerializer(), new ByteArraySerializer());
        runEvents = driver.createInputTopic(topics.runEvents(), new StringSerializer(), new ByteArraySerializer());
        requests = driver.createOutputTopic(topics.runRequests(), new StringDeserializer(), new ByteArrayDeserializer());
        control = driver.createOutputTopic(topics.runControl(), new StringDeserializer(), new ByteArrayDeserializer());
        status = driver.createOutputTopic(topics.schedulerState(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        SchemaRegistryClient.dropMockScope(SCOPE);
    }

    /** Sets the scheduler's clock and lets Streams' wall clock pass the longest wait between two looks (one look). */
    private void tickAt(String iso) {
        clock.set(iso);
        driver.advanceWallClockTime(ScheduleProcessor.IDLE_LOOK_EVERY);
    }

    private List<RunRequest> requested() {
        return requests.readValuesToList().stream().map(v -> requestSerde.deserialize(topics.runRequests(), v)).toList();
    }

    @Test
    void aTickRequestsOneRunCarryingTheDefinitionAndPublishesTheStatus() {
        // The job declares the param its schedule sets (the scheduler checks tick params against the declarations).
        JobDefinition job = JobDefinition.newBuilder(TestJobs.withSchedules("report", TestJobs.cron("hourly", "0 * * * *", "UTC")
                .setParams(Map.of("day", "${{ schedule.date }}")).build())).setParams(TestJobs.params("day")).build();
        jobs.pipeInput("report", jobSerde.serialize(topics.jobs(), job));
        tickAt("2026-01-01T00:00:30Z");
        tickAt("2026-01-01T00:59:59Z");
        assertThat(requests.isEmpty()).isTrue();
        tickAt("2026-01-01T01:00:00.100Z");
        tickAt("2026-01-01T01:00:00.200Z");
        List<RunRequest> r = requested();
        assertThat(r).singleElement().satisfies(req -> {
            assertThat(req.getRunKey()).isEqualTo("schedule:report/hourly@2026-01-01T01:00:00Z");
            assertThat(req.getRunId()).isEqualTo(ScheduleIds.runId("report", "hourly", Instant.parse("2026-01-01T01:00:00Z")));
            assertThat(req.getOrigin()).isEqualTo(Origin.SCHEDULE);
            assertThat(req.getDefinition()).isEqualTo(job);
            assertThat(req.getParams()).containsEntry("day", "2026-01-01");
        });
        ScheduleStatus s = lastStatus("report/hourly");
        assertThat(s.lastTicks()).singleElement().satisfies(t -> {
            assertThat(t.outcome()).isEqualTo("REQUESTED");
            assertThat(t.runId()).isEqualTo(r.get(0).getRunId());
        });
        assertThat(s.nextTicks()).first().isEqualTo("2026-01-01T02:00:00Z");
    }

    /** Issue 15: a daily schedule at 02:00 runs yesterday's partition in the partitions' zone, DST days included. */
    @Test
    void aScheduleOfAPartitionedJobRunsTheLatestWindowThatEnded() {
        JobDefinition job = JobDefinition.newBuilder(TestJobs.withSchedules("sales",
                        TestJobs.cron("nightly", "0 2 * * *", "Europe/Berlin").build()))
                .setPartitions(new dev.baton.events.PartitionsSpec(List.of(new dev.baton.events.PartitionDimension("daily",
                        new dev.baton.events.TimePartitions(dev.baton.events.PartitionGranularity.DAILY, "2025-12-01T00:00",
                                null, "Europe/Berlin", 0L)))))
                .build();
        jobs.pipeInput("sales", jobSerde.serialize(topics.jobs(), job));
        tickAt("2026-01-01T00:30:00Z");
        tickAt("2026-01-01T01:00:00.100Z"); // 02:00 in Berlin on 1 January
        assertThat(requested()).singleElement().satisfies(r -> assertThat(r.getPartition()).isEqualTo("2025-12-31"));
        tickAt("2026-01-02T01:00:00.100Z");
        assertThat(requested()).singleElement().satisfies(r -> assertThat(r.getPartition()).isEqualTo("2026-01-01"));
        tickAt("2026-03-29T23:30:00Z");
        requested(); // catch-up of the ticks in between (catchUp LATEST)
        tickAt("2026-03-30T00:00:00.100Z"); // 02:00 CEST after the 23-hour day
        assertThat(requested()).last().satisfies(r -> assertThat(r.getPartition()).isEqualTo("2026-03-29"));
    }

    /**
     * Issue 15: a tick never picks a key of a dynamic set (it has no time windows): the request of a job partitioned by a
     * dynamic set, alone or with a date, carries no partition, which the coordinator rejects, saying so.
     */
    @Test
    void aScheduleOfADynamicallyPartitionedJobNeverRunsADynamicKey() {
        var dynamic = new dev.baton.events.PartitionDimension("customer", new dev.baton.events.DynamicPartitions("customers"));
        var date = new dev.baton.events.PartitionDimension("date", new dev.baton.events.TimePartitions(
                dev.baton.events.PartitionGranularity.DAILY, "2025-12-01T00:00", null, "UTC", 0L));
        jobs.pipeInput("exports", jobSerde.serialize(topics.jobs(), JobDefinition.newBuilder(TestJobs.withSchedules("exports",
                TestJobs.cron("nightly", "0 2 * * *", "UTC").build()))
                .setPartitions(new dev.baton.events.PartitionsSpec(List.of(dynamic))).build()));
        jobs.pipeInput("daily_exports", jobSerde.serialize(topics.jobs(), JobDefinition.newBuilder(TestJobs.withSchedules(
                "daily_exports", TestJobs.cron("nightly", "0 2 * * *", "UTC").build()))
                .setPartitions(new dev.baton.events.PartitionsSpec(List.of(date, dynamic))).build()));
        tickAt("2026-01-01T01:00:00Z");
        tickAt("2026-01-01T02:00:00.100Z");
        List<RunRequest> ticks = requested();
        assertThat(ticks).extracting(RunRequest::getJob).containsExactlyInAnyOrder("exports", "daily_exports");
        assertThat(ticks).extracting(RunRequest::getPartition).containsOnlyNulls();
    }

    @Test
    void overlapSkipFollowsRunEndsFromRunEvents() {
        String first = everyMinuteFirstRun(OverlapPolicy.SKIP);
        tickAt("2026-01-01T00:02:00.100Z");
        assertThat(requested()).isEmpty();
        assertThat(lastStatus("etl/m").lastTicks()).extracting(ScheduleStatus.Tick::outcome).containsExactly("REQUESTED", "SKIPPED");
        runSucceeded("etl", first);
        assertThat(lastStatus("etl/m").lastTicks().get(0).runStatus()).isEqualTo("SUCCEEDED");
        tickAt("2026-01-01T00:03:00.100Z");
        assertThat(requested()).extracting(RunRequest::getRunKey).containsExactly("schedule:etl/m@2026-01-01T00:03:00Z");
    }

    /**
     * A run end that frees a QUEUE schedule is the one input that makes work due at once: it wakes the sleeping look,
     * so the queued tick is requested at the next interval (100 ms here), not after the longest sleep (30 s).
     */
    @Test
    void aRunEndWakesTheLookSoAQueuedTickIsRequestedAtTheNextInterval() {
        String first = everyMinuteFirstRun(OverlapPolicy.QUEUE);
        tickAt("2026-01-01T00:02:00.100Z");
        assertThat(requested()).isEmpty();
        assertThat(lastStatus("etl/m").lastTicks()).extracting(ScheduleStatus.Tick::outcome).contains("QUEUED");
        tickAt("2026-01-01T00:02:10Z"); // a look that changes nothing: it now sleeps 30 s (the next tick is 50 s away)
        runSucceeded("etl", first);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(100));
        assertThat(requested()).extracting(RunRequest::getRunKey).containsExactly("schedule:etl/m@2026-01-01T00:02:00Z");
    }

    @Test
    void overlapCancelOtherSendsACancelCommand() {
        jobs.pipeInput("etl", jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("etl",
                TestJobs.cron("m", "* * * * *", "UTC").setOverlap(OverlapPolicy.CANCEL_OTHER).build())));
        tickAt("2026-01-01T00:00:30Z");
        tickAt("2026-01-01T00:01:00.100Z");
        String first = requested().get(0).getRunId();
        tickAt("2026-01-01T00:02:00.100Z");
        assertThat(requested()).hasSize(1);
        assertThat(control.readValuesToList()).singleElement().satisfies(v -> {
            ControlCommand c = controlSerde.deserialize(topics.runControl(), v);
            assertThat(c.getRunId()).isEqualTo(first);
            assertThat(c.getCommand()).isInstanceOf(CancelRun.class);
        });
    }

    @Test
    void aPauseOnTheControlTopicStopsTicksAndAResumeRestartsThem() {
        jobs.pipeInput("etl", jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("etl", TestJobs.cron("m", "* * * * *", "UTC").build())));
        TestInputTopic<String, byte[]> ctl = driver.createInputTopic(SchedulerTopics.control(topics), new StringSerializer(),
                new ByteArraySerializer());
        tickAt("2026-01-01T00:00:30Z");
        ctl.pipeInput("etl/m", Json.write(new SchedulerControl.Command(true, "alice", "db migration", "x")));
        ScheduleStatus paused = lastStatus("etl/m");
        assertThat(paused.paused()).isTrue();
        assertThat(paused.pauseActor()).isEqualTo("alice");
        tickAt("2026-01-01T00:01:00.100Z");
        tickAt("2026-01-01T00:02:00.100Z");
        assertThat(requested()).isEmpty();
        ctl.pipeInput("etl/m", Json.write(new SchedulerControl.Command(false, "alice", null, "x")));
        tickAt("2026-01-01T00:02:30Z");
        tickAt("2026-01-01T00:03:00.100Z");
        assertThat(requested()).extracting(RunRequest::getRunKey).containsExactly("schedule:etl/m@2026-01-01T00:03:00Z");
    }

    @Test
    void aRemovedJobLosesItsScheduleState() {
        jobs.pipeInput("etl", jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("etl", TestJobs.cron("m", "* * * * *", "UTC").build())));
        tickAt("2026-01-01T00:00:30Z");
        jobs.pipeInput("etl", (byte[]) null);
        for (int i = 0; i < 50; i++) { // 50 looks: the sweep's period
            driver.advanceWallClockTime(ScheduleProcessor.IDLE_LOOK_EVERY);
        }
        var records = status.readKeyValuesToMap();
        assertThat(records).containsKey("etl/m");
        assertThat(records.get("etl/m")).isNull();
    }

    /**
     * Issue 20: the look sleeps until the next tick (at most {@link ScheduleProcessor#IDLE_LOOK_EVERY}) and a job
     * change wakes it: the jobs store announces the change (a nudge on the control topic in production), and the nudge
     * brings the look to the next interval. An unchanged re-registration announces nothing.
     */
    @Test
    void aNewScheduleIsLookedAtWhenTheNudgeComesNotAtTheNextSafetyLook() {
        byte[] report = jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("report", TestJobs.cron("hourly", "0 * * * *", "UTC").build()));
        jobs.pipeInput("report", report);
        tickAt("2026-01-01T00:00:30Z");
        tickAt("2026-01-01T00:00:31Z"); // a look that changes nothing, the next tick an hour away: it sleeps 30 s
        status.readKeyValuesToMap();
        jobs.pipeInput("report", report);
        assertThat(changedJobs).containsExactly("report");

        clock.set("2026-01-01T00:00:40Z");
        jobs.pipeInput("etl", jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("etl", TestJobs.cron("m", "* * * * *", "UTC").build())));
        assertThat(changedJobs).containsExactly("report", "etl");
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(1));
        assertThat(status.readKeyValuesToMap()).as("no look before the nudge").doesNotContainKey("etl/m");

        controlInput().pipeInput(SchedulerTopics.JOBS_CHANGED_KEY, (byte[]) null);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(100));
        assertThat(lastStatus("etl/m").nextTicks()).first().isEqualTo("2026-01-01T00:01:00Z");
        clock.set("2026-01-01T00:01:00.100Z");
        driver.advanceWallClockTime(java.time.Duration.ofMillis(100));
        assertThat(requested()).extracting(RunRequest::getRunKey).containsExactly("schedule:etl/m@2026-01-01T00:01:00Z");
    }

    /** A removed job's schedule state goes at the look its nudge brings, not at the periodic sweep. */
    @Test
    void aRemovedJobsNudgeSweepsItsScheduleStateAtOnce() {
        jobs.pipeInput("etl", jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("etl", TestJobs.cron("m", "* * * * *", "UTC").build())));
        tickAt("2026-01-01T00:00:30Z");
        jobs.pipeInput("etl", (byte[]) null);
        assertThat(changedJobs).containsExactly("etl", "etl");
        controlInput().pipeInput(SchedulerTopics.JOBS_CHANGED_KEY, (byte[]) null);
        driver.advanceWallClockTime(java.time.Duration.ofMillis(100));
        var records = status.readKeyValuesToMap();
        assertThat(records).containsKey("etl/m");
        assertThat(records.get("etl/m")).isNull();
    }

    private TestInputTopic<String, byte[]> controlInput() {
        return driver.createInputTopic(SchedulerTopics.control(topics), new StringSerializer(), new ByteArraySerializer());
    }

    /** Registers job etl with an every-minute schedule of the given overlap policy and returns its first tick's run. */
    private String everyMinuteFirstRun(OverlapPolicy overlap) {
        jobs.pipeInput("etl", jobSerde.serialize(topics.jobs(), TestJobs.withSchedules("etl",
                TestJobs.cron("m", "* * * * *", "UTC").setOverlap(overlap).build())));
        tickAt("2026-01-01T00:00:30Z");
        tickAt("2026-01-01T00:01:00.100Z");
        return requested().get(0).getRunId();
    }

    /** The run's end, as the coordinator writes it to the run events. */
    private void runSucceeded(String job, String runId) {
        runEvents.pipeInput(runId, eventSerde.serialize(topics.runEvents(), RunEvent.newBuilder().setEventId("e-" + runId)
                .setRunId(runId).setTimestamp(Instant.EPOCH).setTraceId("t").setJob(job).setSequence(5)
                .setPayload(RunSucceeded.newBuilder().build()).build()));
    }

    private ScheduleStatus lastStatus(String id) {
        byte[] v = status.readKeyValuesToMap().get(id);
        assertThat(v).as("status of " + id).isNotNull();
        return Json.read(v, ScheduleStatus.class);
    }
}
