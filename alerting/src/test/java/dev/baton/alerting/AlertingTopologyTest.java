package dev.baton.alerting;

import static dev.baton.alerting.Events.ack;
import static dev.baton.alerting.Events.check;
import static dev.baton.alerting.Events.heartbeat;
import static dev.baton.alerting.Events.job;
import static dev.baton.alerting.Events.runFailed;
import static dev.baton.alerting.Events.runSucceeded;
import static dev.baton.alerting.Events.stepFailed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.alerting.internal.AlertingTopology;
import dev.baton.alerting.internal.GroupState;
import dev.baton.alerting.internal.Groups;
import dev.baton.alerting.internal.IncidentApplier;
import dev.baton.alerting.internal.IncidentProcessor;
import dev.baton.alerting.internal.IncidentState;
import dev.baton.events.AgentHeartbeat;
import dev.baton.events.AgentState;
import dev.baton.events.Alert;
import dev.baton.events.AlertCondition;
import dev.baton.events.AlertRule;
import dev.baton.events.AlertTransition;
import dev.baton.events.CheckOutcome;
import dev.baton.events.DeadLetter;
import dev.baton.events.Incident;
import dev.baton.events.IncidentAcknowledged;
import dev.baton.events.IncidentCommand;
import dev.baton.events.IncidentCommandRejected;
import dev.baton.events.IncidentEvent;
import dev.baton.events.IncidentOccurred;
import dev.baton.events.IncidentOpened;
import dev.baton.events.IncidentResolved;
import dev.baton.events.IncidentStatus;
import dev.baton.events.JobDefinition;
import dev.baton.events.LineageEvent;
import dev.baton.events.RunEvent;
import dev.baton.events.RunSucceeded;
import dev.baton.jobs.AlertRules;
import dev.baton.jobs.Format;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The incident fold in memory: grouping, dedupe, escalation, resolution, acknowledgement, agent liveness. */
class AlertingTopologyTest {
    private static final String SCOPE = "alerting-topology-test";
    private static final Instant T0 = Instant.parse("2026-12-06T01:00:00Z");
    private final Topics topics = new Topics("t.");
    private final Map<String, Object> registry = Map.of("schema.registry.url", "mock://" + SCOPE);
    private final AvroSerde<JobDefinition> jobSerde = AvroSerde.forValues(JobDefinition.class, registry);
    private final AvroSerde<RunEvent> runSerde = AvroSerde.forValues(RunEvent.class, registry);
    private final AvroSerde<LineageEvent> lineageSerde = AvroSerde.forValues(LineageEvent.class, registry);
    private final AvroSerde<AgentHeartbeat> heartbeatSerde = AvroSerde.forValues(AgentHeartbeat.class, registry);
    private final AvroSerde<IncidentCommand> commandSerde = AvroSerde.forValues(IncidentCommand.class, registry);
    private final AvroSerde<IncidentEvent> eventSerde = AvroSerde.forValues(IncidentEvent.class, registry);
    private final AvroSerde<Incident> incidentSerde = AvroSerde.forValues(Incident.class, registry);
    private final AvroSerde<Alert> alertSerde = AvroSerde.forValues(Alert.class, registry);
    private final AvroSerde<DeadLetter> dlqSerde = AvroSerde.forValues(DeadLetter.class, registry);
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> jobs;
    private TestInputTopic<String, byte[]> runEvents;
    private TestInputTopic<String, byte[]> lineage;
    private TestInputTopic<String, byte[]> agents;
    private TestInputTopic<String, byte[]> control;
    private TestOutputTopic<String, byte[]> incidentEvents;
    private TestOutputTopic<String, byte[]> latest;
    private TestOutputTopic<String, byte[]> alerts;
    private TestOutputTopic<String, byte[]> dlq;
    private final List<IncidentEvent> allEvents = new ArrayList<>();
    private final Map<String, Incident> latestById = new LinkedHashMap<>();

    private void start(List<AlertRule> globalRules) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "alerting-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/alerting-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(AlertingTopology.build(topics, registry,
                new IncidentProcessor.Settings(globalRules, Duration.ofSeconds(1), 30_000L, 300_000L, 86_400_000L)), p, T0);
        var ss = new StringSerializer();
        var bs = new ByteArraySerializer();
        jobs = driver.createInputTopic(topics.jobs(), ss, bs);
        runEvents = driver.createInputTopic(topics.runEvents(), ss, bs);
        lineage = driver.createInputTopic(topics.lineage(), ss, bs);
        agents = driver.createInputTopic(topics.agents(), ss, bs);
        control = driver.createInputTopic(topics.incidentControl(), ss, bs);
        var sd = new StringDeserializer();
        var bd = new ByteArrayDeserializer();
        incidentEvents = driver.createOutputTopic(topics.incidents(), sd, bd);
        latest = driver.createOutputTopic(topics.incidentsLatest(), sd, bd);
        alerts = driver.createOutputTopic(topics.alerts(), sd, bd);
        dlq = driver.createOutputTopic(topics.deadLetters(), sd, bd);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void register(JobDefinition def) {
        jobs.pipeInput(def.getName(), jobSerde.serialize(topics.jobs(), def));
    }

    private void pipe(RunEvent e) {
        runEvents.pipeInput(e.getRunId(), runSerde.serialize(topics.runEvents(), e));
    }

    private List<IncidentEvent> events() {
        for (TestRecord<String, byte[]> r : incidentEvents.readRecordsToList()) {
            allEvents.add(eventSerde.deserialize(topics.incidents(), r.value()));
        }
        return allEvents;
    }

    private Map<String, Incident> latest() {
        for (TestRecord<String, byte[]> r : latest.readRecordsToList()) {
            latestById.put(r.key(), incidentSerde.deserialize(topics.incidentsLatest(), r.value()));
        }
        return latestById;
    }

    private List<Alert> alerts() {
        return alerts.readRecordsToList().stream().map(r -> alertSerde.deserialize(topics.alerts(), r.value())).toList();
    }

    private static final String NIGHTLY = """
            name: nightly_cleanup
            alerts:
              - on: [run_failed]
                webhook: { url: "http://127.0.0.1:9999/hook" }
            steps:
              - key: sweep
                run: exit 1
            """;

    @Test
    void fiftyFailedRunsAreOneIncidentAndOneNotificationThenASuccessResolvesIt() {
        start(List.of());
        register(job(NIGHTLY));
        for (int i = 1; i <= 50; i++) {
            pipe(runFailed("nightly_cleanup", "run-" + i, T0.plusSeconds(i)));
        }
        List<Alert> opened = alerts();
        assertThat(opened).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.OPENED);
            assertThat(a.getEventId()).isEqualTo(a.getIncidentId() + ":OPENED");
            assertThat(a.getIncident().getJob()).isEqualTo("nightly_cleanup");
            assertThat(a.getIncident().getRuleId()).isEqualTo("job:nightly_cleanup/run_failed");
            assertThat(a.getIncident().getDestinations()).hasSize(1);
        });
        String id = opened.get(0).getIncidentId();
        assertThat(latest().get(id).getOccurrences()).isEqualTo(50);
        assertThat(latest().get(id).getStatus()).isEqualTo(IncidentStatus.OPEN);
        assertThat(latest().get(id).getLastRunId()).isEqualTo("run-50");
        assertThat(events()).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactlyElementsOf(concat(List.of("IncidentOpened"), java.util.Collections.nCopies(49, "IncidentOccurred")));

        pipe(runSucceeded("nightly_cleanup", "run-51", T0.plusSeconds(60)));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.RESOLVED);
            assertThat(a.getIncidentId()).isEqualTo(id);
            assertThat(a.getTitle()).isEqualTo("[RESOLVED] run_failed: job nightly_cleanup (after 50 occurrences)");
        });
        assertThat(latest().get(id).getStatus()).isEqualTo(IncidentStatus.RESOLVED);
        assertThat(latest().get(id).getResolution()).isEqualTo("run run-51 succeeded");

        // A second success changes nothing; the next failure is a new incident.
        pipe(runSucceeded("nightly_cleanup", "run-52", T0.plusSeconds(61)));
        assertThat(alerts()).isEmpty();
        pipe(runFailed("nightly_cleanup", "run-53", T0.plusSeconds(62)));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.OPENED);
            assertThat(a.getIncidentId()).isNotEqualTo(id);
        });
        assertReplayEquivalent();
    }

    @Test
    void aFailureOlderThanTheSuccessThatClearedItIsStale() {
        start(List.of());
        register(job(NIGHTLY));
        pipe(runSucceeded("nightly_cleanup", "run-2", T0.plusSeconds(20)));
        pipe(runFailed("nightly_cleanup", "run-1", T0.plusSeconds(10))); // finished earlier, read later
        assertThat(alerts()).isEmpty();
        assertThat(events()).isEmpty();
    }

    @Test
    void aStepFailureAndItsRunsFailureAreOneOccurrenceAndEscalationNotifiesOnce() {
        start(List.of());
        register(job("""
                name: etl
                alerts:
                  - name: pager
                    on: [step_failed, run_failed]
                    slack: "https://hooks.example.com/x"
                    escalateAfter: 3
                steps: [{key: load, run: exit 1}]
                """));
        for (int i = 1; i <= 5; i++) {
            pipe(stepFailed("etl", "r" + i, "load", T0.plusSeconds(i * 10)));
            pipe(runFailed("etl", "r" + i, T0.plusSeconds(i * 10 + 1)));
        }
        List<Alert> sent = alerts();
        assertThat(sent).extracting(Alert::getTransition).containsExactly(AlertTransition.OPENED, AlertTransition.ESCALATED);
        assertThat(sent.get(1).getIncident().getOccurrences()).isEqualTo(3);
        assertThat(sent.get(1).getTitle()).isEqualTo("[ESCALATED WARNING] step_failed: job etl (3 occurrences)");
        assertThat(latest().get(sent.get(0).getIncidentId()).getOccurrences()).isEqualTo(5);
        assertReplayEquivalent();
    }

    @Test
    void jobsWithoutRulesAndOtherJobsAreNotTouched() {
        start(List.of());
        register(job(NIGHTLY));
        register(job("name: quiet\nsteps: [{key: a, run: exit 1}]\n"));
        pipe(runFailed("quiet", "q1", T0));
        pipe(runSucceeded("quiet", "q2", T0.plusSeconds(1)));
        pipe(runFailed("nightly_cleanup", "n1", T0.plusSeconds(2)));
        pipe(runSucceeded("quiet", "q3", T0.plusSeconds(3))); // another job's success does not resolve it
        assertThat(alerts()).extracting(Alert::getTransition).containsExactly(AlertTransition.OPENED);
    }

    @Test
    void globalRulesMatchJobsByGlob() {
        start(AlertRules.parseGlobal("""
                alerts:
                  - name: orders
                    on: [run_failed]
                    jobs: ["orders_*"]
                """, Format.YAML));
        pipe(runFailed("orders_daily", "o1", T0));
        pipe(runFailed("billing", "b1", T0));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getIncident().getRuleId()).isEqualTo("global:orders");
            assertThat(a.getIncident().getJob()).isEqualTo("orders_daily");
        });
    }

    @Test
    void acknowledgementIsRecordedOnceAndRejectedOtherwise() {
        start(List.of());
        register(job(NIGHTLY));
        pipe(runFailed("nightly_cleanup", "r1", T0));
        String id = alerts().get(0).getIncidentId();
        control.pipeInput(id, commandSerde.serialize(topics.incidentControl(), ack(id, "alice", T0.plusSeconds(5))));
        control.pipeInput(id, commandSerde.serialize(topics.incidentControl(), ack(id, "bob", T0.plusSeconds(6))));
        control.pipeInput("inc-nope", commandSerde.serialize(topics.incidentControl(), ack("inc-nope", "bob", T0.plusSeconds(7))));
        control.pipeInput("junk", "not avro".getBytes());
        List<IncidentEvent> ev = events();
        assertThat(ev.get(1).getPayload()).isEqualTo(new IncidentAcknowledged("alice", "on it"));
        assertThat(ev.get(2).getPayload()).isInstanceOfSatisfying(IncidentCommandRejected.class,
                r -> assertThat(r.getReason()).isEqualTo("incident " + id + " is already acknowledged by alice"));
        assertThat(ev.get(3).getPayload()).isInstanceOfSatisfying(IncidentCommandRejected.class,
                r -> assertThat(r.getReason()).isEqualTo("no incident inc-nope"));
        assertThat(latest().get(id).getStatus()).isEqualTo(IncidentStatus.ACKNOWLEDGED);
        assertThat(latest().get(id).getAcknowledgedBy()).isEqualTo("alice");
        assertThat(dlq.readRecordsToList()).singleElement()
                .satisfies(r -> assertThat(dlqSerde.deserialize(topics.deadLetters(), r.value()).getSourceTopic())
                        .isEqualTo(topics.incidentControl()));
        // Acknowledged incidents still count occurrences and still resolve (with a notification).
        pipe(runFailed("nightly_cleanup", "r2", T0.plusSeconds(10)));
        pipe(runSucceeded("nightly_cleanup", "r3", T0.plusSeconds(20)));
        assertThat(alerts()).extracting(Alert::getTransition).containsExactly(AlertTransition.RESOLVED);
        control.pipeInput(id, commandSerde.serialize(topics.incidentControl(), ack(id, "carol", T0.plusSeconds(30))));
        assertThat(events().get(events().size() - 1).getPayload()).isInstanceOfSatisfying(IncidentCommandRejected.class,
                r -> assertThat(r.getReason()).isEqualTo("incident " + id + " is already resolved"));
        assertReplayEquivalent();
    }

    @Test
    void aFailedCheckIsAnIncidentOfItsAssetUntilTheCheckPasses() {
        start(List.of());
        register(job("""
                name: orders
                alerts: [{on: [check_failed]}]
                steps:
                  - key: load
                    run: echo ok
                    produces: [{key: clean_orders, checks: [{name: not_empty, expr: "rows > 0"}]}]
                """));
        lineage.pipeInput("clean_orders", lineageSerde.serialize(topics.lineage(), check("clean_orders", "not_empty", CheckOutcome.FAILED, "r1", T0)));
        lineage.pipeInput("clean_orders", lineageSerde.serialize(topics.lineage(), check("clean_orders", "not_empty", CheckOutcome.FAILED, "r2", T0.plusSeconds(1))));
        lineage.pipeInput("clean_orders", lineageSerde.serialize(topics.lineage(), check("clean_orders", "not_empty", CheckOutcome.PASSED, "r3", T0.plusSeconds(2))));
        List<Alert> sent = alerts();
        assertThat(sent).extracting(Alert::getTransition).containsExactly(AlertTransition.OPENED, AlertTransition.RESOLVED);
        assertThat(sent.get(0).getIncident().getJob()).isEqualTo("orders");
        assertThat(sent.get(0).getIncident().getSubject()).isEqualTo("clean_orders#not_empty");
        assertThat(sent.get(1).getIncident().getOccurrences()).isEqualTo(2);
    }

    @Test
    void aStaleAssetIsAnIncidentUntilItIsFreshAgain() {
        start(List.of());
        register(job("""
                name: orders
                alerts: [{on: [freshness_breached], severity: critical}]
                steps:
                  - key: load
                    run: echo ok
                    produces: [{key: clean_orders, freshness: {maxLag: 1h}}]
                """));
        lineage.pipeInput("clean_orders", lineageSerde.serialize(topics.lineage(), freshness("clean_orders", false, T0)));
        lineage.pipeInput("clean_orders", lineageSerde.serialize(topics.lineage(), freshness("clean_orders", true, T0.plusSeconds(60))));
        List<Alert> sent = alerts();
        assertThat(sent).extracting(Alert::getTransition).containsExactly(AlertTransition.OPENED, AlertTransition.RESOLVED);
        assertThat(sent.get(0).getIncident().getJob()).isEqualTo("orders");
        assertThat(sent.get(0).getIncident().getSubject()).isEqualTo("clean_orders");
        assertThat(sent.get(0).getTitle()).isEqualTo("[CRITICAL] freshness_breached: job orders, clean_orders");
        assertThat(sent.get(1).getIncident().getResolution()).isEqualTo("asset clean_orders is fresh again");
    }

    private static LineageEvent freshness(String asset, boolean fresh, Instant at) {
        return LineageEvent.newBuilder().setEventId(java.util.UUID.randomUUID().toString()).setRunId(null).setTimestamp(at)
                .setTraceId("t").setAssetKey(asset).setPartition(null)
                .setPayload(new dev.baton.events.AssetFreshnessChanged(fresh, 3_600_000L, T0.minusSeconds(7200))).build();
    }

    @Test
    void aSilentAgentIsLostOnceAndResolvedWhenItIsBack() {
        start(AlertRules.parseGlobal("alerts: [{name: lost, on: [agent_lost], after: 10s}]\n", Format.YAML));
        agents.pipeInput("a1", heartbeatSerde.serialize(topics.agents(), heartbeat("a1", T0, AgentState.RUNNING)));
        agents.pipeInput("a2", heartbeatSerde.serialize(topics.agents(), heartbeat("a2", T0, AgentState.RUNNING)));
        agents.pipeInput("a2", heartbeatSerde.serialize(topics.agents(), heartbeat("a2", T0.plusSeconds(1), AgentState.STOPPED)));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        assertThat(alerts()).isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(6));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        List<Alert> lost = alerts();
        assertThat(lost).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.OPENED);
            assertThat(a.getIncident().getCondition()).isEqualTo(AlertCondition.AGENT_LOST);
            assertThat(a.getIncident().getSubject()).isEqualTo("a1"); // a2 stopped cleanly: not lost
        });
        agents.pipeInput("a1", heartbeatSerde.serialize(topics.agents(), heartbeat("a1", T0.plusSeconds(17), AgentState.RUNNING)));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.RESOLVED);
            assertThat(a.getIncident().getResolution()).isEqualTo("agent a1 is back");
        });
    }

    @Test
    void aPoolWithWaitingStepsAndNoLiveAgentIsUnservedUntilAnAgentComes() {
        start(AlertRules.parseGlobal("alerts: [{name: pools, on: [pool_unserved], after: 10s}]\n", Format.YAML));
        agents.pipeInput("a1", heartbeatSerde.serialize(topics.agents(), heartbeat("a1", T0, AgentState.RUNNING))); // pool default
        pipe(Events.run("etl", "r1", T0, "train", new dev.baton.events.StepDispatched(1, "r1/train/1", "gpu", List.of())));
        pipe(Events.run("etl", "r2", T0, "load", new dev.baton.events.StepDispatched(1, "r2/load/1", "default", List.of())));
        pipe(Events.run("etl", "r3", T0, "fit", new dev.baton.events.StepDispatched(1, "r3/fit/1", "cpu", List.of())));
        pipe(Events.run("etl", "r3", T0.plusSeconds(2), null, new RunSucceeded(5L))); // r3's attempt no longer waits
        driver.advanceWallClockTime(Duration.ofSeconds(11));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.OPENED);
            assertThat(a.getIncident().getCondition()).isEqualTo(AlertCondition.POOL_UNSERVED);
            assertThat(a.getIncident().getSubject()).isEqualTo("gpu"); // default is served by a1
        });
        AgentHeartbeat gpu = AgentHeartbeat.newBuilder(heartbeat("a2", T0.plusSeconds(13), AgentState.RUNNING)).setPools(List.of("gpu")).build();
        agents.pipeInput("a2", heartbeatSerde.serialize(topics.agents(), gpu));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.RESOLVED);
            assertThat(a.getIncident().getResolution()).isEqualTo("an agent of pool gpu is live");
        });
    }

    private void status(String job, String schedule, List<dev.baton.scheduler.api.ScheduleStatus.Tick> ticks) {
        var st = new dev.baton.scheduler.api.ScheduleStatus(job, schedule, "0 2 * * *", null, "UTC", "ALLOW", "LATEST", false, false,
                null, null, null, null, List.of(), List.of(), List.of(), ticks, T0.plusSeconds(ticks.size()).toString());
        driver.createInputTopic(dev.baton.scheduler.api.SchedulerTopics.status(topics), new StringSerializer(), new ByteArraySerializer())
                .pipeInput(job + "/" + schedule, dev.baton.scheduler.api.ScheduleJson.write(st));
    }

    private static dev.baton.scheduler.api.ScheduleStatus.Tick tick(String at, String outcome) {
        return new dev.baton.scheduler.api.ScheduleStatus.Tick(at, outcome, null, null, outcome.equals("MISSED") ? "down for 2h" : null, at);
    }

    @Test
    void aMissedScheduleTickOpensAnIncidentOnceAndTheNextTickThatRunsResolvesIt() {
        start(AlertRules.parseGlobal("alerts: [{name: ticks, on: [schedule_tick_missed], jobs: [nightly]}]\n", Format.YAML));
        var ran = tick("2026-12-04T02:00:00Z", "REQUESTED");
        var missed = tick("2026-12-05T02:00:00Z", "MISSED");
        status("nightly", "daily", List.of(ran, missed));
        status("nightly", "daily", List.of(ran, missed)); // the status repeats its last ticks: not a second occurrence
        status("other", "daily", List.of(missed)); // not matched by the rule's jobs
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.OPENED);
            assertThat(a.getIncident().getCondition()).isEqualTo(AlertCondition.SCHEDULE_TICK_MISSED);
            assertThat(a.getIncident().getSubject()).isEqualTo("daily");
            assertThat(a.getIncident().getMessage()).isEqualTo(
                    "Schedule daily of job nightly missed its tick of 2026-12-05T02:00:00Z: down for 2h");
        });
        status("nightly", "daily", List.of(ran, missed, tick("2026-12-06T02:00:00Z", "REQUESTED")));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getTransition()).isEqualTo(AlertTransition.RESOLVED);
            assertThat(a.getIncident().getOccurrences()).isEqualTo(1);
        });
    }

    /** State rebuilt from the emitted events alone equals the published latest incidents. */
    private void assertReplayEquivalent() {
        Map<String, Incident> incidents = new HashMap<>();
        Map<String, GroupState> groupStates = new HashMap<>();
        IncidentState s = new IncidentState() {
            public Incident incident(String id) { return incidents.get(id); }
            public GroupState group(String key) { return groupStates.getOrDefault(key, GroupState.empty(key)); }
            public Long clearedAt(String k) { return null; }
            public List<Incident> openIncidents() { return List.of(); }
            public void putIncident(Incident i) { incidents.put(i.getIncidentId(), i); }
            public void putGroup(GroupState g) { groupStates.put(g.key(), g); }
        };
        IncidentApplier applier = new IncidentApplier();
        events().forEach(e -> applier.apply(e, s));
        assertThat(incidents).isEqualTo(latest());
        groupStates.values().forEach(g -> {
            long open = incidents.values().stream().filter(i -> Groups.key(i).equals(g.key()) && i.getStatus() != IncidentStatus.RESOLVED).count();
            assertThat(open).isLessThanOrEqualTo(1);
            assertThat(g.openIncidentId() == null).isEqualTo(open == 0);
        });
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
