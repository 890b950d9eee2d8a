package dev.baton.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.*;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import dev.baton.platform.RunIds;
import dev.baton.platform.Topics;
import dev.baton.testkit.TestCluster;
import dev.baton.testkit.TestProducer;
import dev.baton.testkit.TopicProbe;
import dev.baton.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sub-job steps and the step cache against the real broker and registry, with the test playing the agent. */
@WithKafka
class SubJobsAndCacheIntegrationTest {
    static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

    static final JobDefinition CHILD = JobParser.parse("""
            name: child_job
            params: { day: { required: true } }
            steps:
              - { key: load, run: 'echo "${{ params.day }}"', produces: [child_asset] }
            """, Format.YAML, AT);
    static final JobDefinition PARENT = JobParser.parse("""
            name: parent_job
            params: { day: { required: true } }
            steps:
              - key: call
                job: { name: child_job, params: { day: "${{ params.day }}" } }
              - { key: after, needs: [call], run: 'echo "${{ steps.call.outputs.rows }}"' }
            """, Format.YAML, AT);
    static final JobDefinition CALLS_UNKNOWN = JobParser.parse("""
            name: calls_unknown
            steps:
              - { key: call, job: no_such_job }
            """, Format.YAML, AT);
    static final JobDefinition CACHED = JobParser.parse("""
            name: cached_job
            params: { day: { required: true } }
            steps:
              - key: compute
                run: echo computing
                cache: { key: "orders-${{ params.day }}", ttl: 1h }
                produces: [cached_asset]
            """, Format.YAML, AT);
    static final JobDefinition SHORT_LIVED = JobParser.parse("""
            name: short_lived
            steps:
              - { key: compute, run: echo computing, cache: { key: same, ttl: 1ms } }
            """, Format.YAML, AT);

    @TempDir Path state;
    /** The metrics of the coordinator started last. */
    SimpleMeterRegistry meters;

    Coordinator start(TestCluster cluster, Topics topics) {
        Map<String, Object> cfg = new HashMap<>(cluster.config(topics));
        cfg.put(CoordinatorConfig.STATE_DIR, state.toString());
        meters = new SimpleMeterRegistry();
        return Coordinator.start(new CoordinatorConfig(cfg), meters);
    }

    static RunRequest request(String runId, JobDefinition def, Map<String, String> params, boolean noCache) {
        return RunRequest.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(runId).setTimestamp(Instant.now())
                .setTraceId("trace").setJob(def.getName()).setOrigin(Origin.API).setDefinition(def).setParams(params)
                .setNoCache(noCache).build();
    }

    static AgentReport report(StepCommand c, Object r) {
        return AgentReport.newBuilder().setEventId(UUID.randomUUID().toString()).setRunId(c.getRunId()).setTimestamp(Instant.now())
                .setTraceId(c.getTraceId()).setStepKey(c.getStepKey()).setAttempt(c.getAttempt()).setAttemptId(c.getAttemptId())
                .setAgentId("test-agent").setReport(r).build();
    }

    /** Plays the agent for one step: waits for its command, reports started and then the given result. */
    static StepCommand run(TestProducer out, Topics topics, TopicProbe<StepCommand> commands, String runId, String step,
                           Object result) {
        StepCommand c = commands.await(x -> x.getRunId().equals(runId) && x.getStepKey().equals(step)
                && x.getCommand() instanceof ExecuteStep);
        out.send(topics.agentReports(), runId, report(c, new StepStartedReport("h", "eu", 1L)));
        if (result != null) {
            out.send(topics.agentReports(), runId, report(c, result));
        }
        return c;
    }

    static RunEvent await(TopicProbe<RunEvent> events, String runId, Class<?> type) {
        return events.await(e -> e.getRunId().equals(runId) && type.isInstance(e.getPayload()), Duration.ofSeconds(60));
    }

    @Test
    void subJobsSucceedFailAreCanceledWithTheirParentAndNameIt(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("subjob"));
        try (TestProducer out = new TestProducer(cluster);
             TopicProbe<StepCommand> commands = TopicProbe.avro(cluster, topics.commands("default"), StepCommand.class);
             TopicProbe<RunEvent> events = TopicProbe.avro(cluster, topics.runEvents(), RunEvent.class);
             TopicProbe<LineageEvent> lineage = TopicProbe.avro(cluster, topics.lineage(), LineageEvent.class)) {
            out.send(topics.jobs(), CHILD.getName(), CHILD); // the child runs the job as registered
            try (Coordinator coordinator = start(cluster, topics)) {
                // success: the child's outputs are the step's, the child names its parent
                String parent = "parent-ok";
                out.send(topics.runRequests(), parent, request(parent, PARENT, Map.of("day", "d1"), false));
                StepSubJobStarted started = (StepSubJobStarted) await(events, parent, StepSubJobStarted.class).getPayload();
                String child = RunIds.forRunKey("child_job", "subjob:" + parent + "/call#1");
                assertThat(started.getChildRunId()).isEqualTo(child);
                RunRequested childRequested = (RunRequested) await(events, child, RunRequested.class).getPayload();
                assertThat(childRequested.getOrigin()).isEqualTo(Origin.SUBJOB);
                assertThat(childRequested.getParentRunId()).isEqualTo(parent);
                assertThat(childRequested.getParams()).containsEntry("day", "d1");
                assertThat(childRequested.getCallChain()).containsExactly("parent_job");
                run(out, topics, commands, child, "load", StepSucceededReport.newBuilder().setOutputs(Map.of("rows", "7")).build());
                await(events, child, RunSucceeded.class);
                StepCommand after = run(out, topics, commands, parent, "after", StepSucceededReport.newBuilder().build());
                assertThat(((ExecuteStep) after.getCommand()).getInputs()).containsEntry("call", Map.of("rows", "7"));
                await(events, parent, RunSucceeded.class);
                LineageEvent made = lineage.await(l -> l.getAssetKey().equals("child_asset"));
                assertThat(made.getRunId()).isEqualTo(child);
                assertThat(((AssetMaterialization) made.getPayload()).getParentRunId()).isEqualTo(parent);

                // failure: the child's failure is the step's, and the parent fails
                String failing = "parent-fail";
                out.send(topics.runRequests(), failing, request(failing, PARENT, Map.of("day", "d2"), false));
                String child2 = ((StepSubJobStarted) await(events, failing, StepSubJobStarted.class).getPayload()).getChildRunId();
                run(out, topics, commands, child2, "load", StepFailedReport.newBuilder().setErrorClass(ErrorClass.USER_ERROR)
                        .setMessage("boom").setRetryable(false).build());
                StepFailed failed = (StepFailed) events.await(e -> e.getRunId().equals(failing)
                        && e.getPayload() instanceof StepFailed, Duration.ofSeconds(60)).getPayload();
                assertThat(failed.getMessage()).contains(child2).contains("failed");
                assertThat(((RunFailed) await(events, failing, RunFailed.class).getPayload()).getFailedSteps()).containsExactly("call");

                // cancel: the parent's cancel reaches the child and its running step; the parent ends when the child has
                String canceled = "parent-cancel";
                out.send(topics.runRequests(), canceled, request(canceled, PARENT, Map.of("day", "d3"), false));
                String child3 = ((StepSubJobStarted) await(events, canceled, StepSubJobStarted.class).getPayload()).getChildRunId();
                StepCommand load = run(out, topics, commands, child3, "load", null);
                await(events, child3, StepStarted.class);
                out.send(topics.runControl(), canceled, ControlCommand.newBuilder().setEventId(UUID.randomUUID().toString())
                        .setRunId(canceled).setTimestamp(Instant.now()).setTraceId("t").setActor("alice")
                        .setCommand(new CancelRun("not needed", 30_000L)).build());
                await(events, child3, RunCancelRequested.class);
                out.send(topics.agentReports(), child3, report(load, StepFailedReport.newBuilder()
                        .setErrorClass(ErrorClass.CANCELED).setMessage("killed").setRetryable(false).build()));
                await(events, child3, RunCanceled.class);
                await(events, canceled, StepCanceled.class);
                await(events, canceled, RunCanceled.class);

                // a child that cannot start (unknown job) fails the step instead of leaving the parent waiting
                String unknown = "parent-unknown";
                out.send(topics.runRequests(), unknown, request(unknown, CALLS_UNKNOWN, Map.of(), false));
                StepFailed noJob = (StepFailed) events.await(e -> e.getRunId().equals(unknown)
                        && e.getPayload() instanceof StepFailed, Duration.ofSeconds(60)).getPayload();
                assertThat(noJob.getMessage()).contains("UNKNOWN_JOB");
                await(events, unknown, RunFailed.class);
            }
            List<RunEvent> childRuns = events.values().stream()
                    .filter(e -> e.getPayload() instanceof RunRequested r && r.getOrigin() == Origin.SUBJOB).toList();
            assertThat(childRuns).as("one child run per sub-job step attempt").hasSize(3)
                    .extracting(RunEvent::getRunId).doesNotHaveDuplicates();
        }
    }

    @Test
    void theStepCacheHitsAcrossARestartMissesOnAnotherKeyExpiresAndCanBeBypassed(TestCluster cluster) {
        Topics topics = cluster.createTopics(cluster.newTopics("cache"));
        try (TestProducer out = new TestProducer(cluster);
             TopicProbe<StepCommand> commands = TopicProbe.avro(cluster, topics.commands("default"), StepCommand.class);
             TopicProbe<RunEvent> events = TopicProbe.avro(cluster, topics.runEvents(), RunEvent.class)) {
            try (Coordinator coordinator = start(cluster, topics)) {
                out.send(topics.runRequests(), "c1", request("c1", CACHED, Map.of("day", "d1"), false));
                StepCacheMiss first = (StepCacheMiss) await(events, "c1", StepCacheMiss.class).getPayload();
                assertThat(first.getReason()).contains("no entry");
                assertThat(first.getCacheKey()).isEqualTo("orders-d1");
                run(out, topics, commands, "c1", "compute", StepSucceededReport.newBuilder().setOutputs(Map.of("rows", "5")).build());
                await(events, "c1", RunSucceeded.class);
                out.send(topics.runRequests(), "c1b", request("c1b", CACHED, Map.of("day", "d1"), false));
                assertThat(((StepCacheHit) await(events, "c1b", StepCacheHit.class).getPayload()).getFromRunId()).isEqualTo("c1");
            }
            // a new coordinator instance: the index is on Kafka, not in the old instance's memory
            try (Coordinator coordinator = start(cluster, topics)) {
                out.send(topics.runRequests(), "c2", request("c2", CACHED, Map.of("day", "d1"), false));
                StepCacheHit hit = (StepCacheHit) await(events, "c2", StepCacheHit.class).getPayload();
                assertThat(hit.getFromRunId()).isEqualTo("c1");
                assertThat(hit.getOutputs()).containsEntry("rows", "5");
                assertThat(hit.getMaterializations()).extracting(UpstreamRef::getAssetKey).containsExactly("cached_asset");
                await(events, "c2", RunSucceeded.class);

                out.send(topics.runRequests(), "c3", request("c3", CACHED, Map.of("day", "d1"), true));
                assertThat(((StepCacheMiss) await(events, "c3", StepCacheMiss.class).getPayload()).getReason()).contains("bypasses");
                run(out, topics, commands, "c3", "compute", StepSucceededReport.newBuilder().build());
                await(events, "c3", RunSucceeded.class);

                out.send(topics.runRequests(), "c4", request("c4", CACHED, Map.of("day", "d2"), false));
                assertThat(((StepCacheMiss) await(events, "c4", StepCacheMiss.class).getPayload()).getReason()).contains("no entry");
                run(out, topics, commands, "c4", "compute", StepSucceededReport.newBuilder().build());
                await(events, "c4", RunSucceeded.class);

                out.send(topics.runRequests(), "s1", request("s1", SHORT_LIVED, Map.of(), false));
                run(out, topics, commands, "s1", "compute", StepSucceededReport.newBuilder().build());
                await(events, "s1", RunSucceeded.class);
                out.send(topics.runRequests(), "s2", request("s2", SHORT_LIVED, Map.of(), false));
                assertThat(((StepCacheMiss) await(events, "s2", StepCacheMiss.class).getPayload()).getReason())
                        .contains("expired").contains("s1");
                run(out, topics, commands, "s2", "compute", StepSucceededReport.newBuilder().build());
                await(events, "s2", RunSucceeded.class);
                // baton_step_cache_total{result}: c2 hit; c3 bypassed; c4, s1 and s2 (expired) missed
                for (var want : Map.of("hit", 1.0, "bypass", 1.0, "miss", 3.0).entrySet()) {
                    assertThat(meters.find("baton.step.cache").tag("result", want.getKey()).counters().stream()
                            .mapToDouble(io.micrometer.core.instrument.Counter::count).sum())
                            .as("step cache %s", want.getKey()).isEqualTo(want.getValue());
                }
            }
            assertThat(events.values()).filteredOn(e -> e.getRunId().equals("c2"))
                    .as("a hit is never dispatched").noneMatch(e -> e.getPayload() instanceof StepDispatched);
            assertThat(commands.values()).noneMatch(c -> c.getRunId().equals("c2"));
        }
    }
}
