package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CI runs a short version of every benchmark scenario: it must complete and report its fields. Timings are
 * printed, never asserted (they belong to docs/benchmarks.md, measured on a quiet machine).
 */
class BenchSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"chain", "fanout", "throughput", "sensor", "recovery", "backfill", "foreach", "jmh"})
    void scenarioCompletesAndReports(String scenario) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Map<String, Object> result = new Bench(new PrintStream(buf, true, StandardCharsets.UTF_8), true).run(scenario);
        String json = Bench.json(result);
        System.out.println(buf.toString(StandardCharsets.UTF_8) + json);
        assertThat(result).containsEntry("scenario", scenario);
        assertThat(json).startsWith("{").endsWith("}");
        if (!scenario.equals("jmh") && !scenario.equals("backfill") && !scenario.equals("foreach")) {
            // every end-to-end scenario measures the raw-Kafka floor in the same run, and what a run cost
            assertThat(result).containsKeys("floor", "cpu_ms_per_run", "jit_cpu_s", "records_per_run", "records_per_run_by_topic");
            assertThat(result.keySet()).anyMatch(k -> k.startsWith("ratio_"));
            assertThat((double) result.get("records_per_run")).isPositive();
            // the broker runs in the harness's JVM: its request counts are read, so every run costs some requests
            assertThat((double) result.get("broker_requests_per_run")).isPositive();
            @SuppressWarnings("unchecked")
            Map<String, Double> requests = (Map<String, Double>) result.get("broker_requests_per_run_by_type");
            assertThat(requests).containsKey("Produce").doesNotContainKey("FetchConsumer");
        }
        switch (scenario) {
            case "chain" -> {
                assertThat(result).containsKeys("p50_ms", "p95_ms", "p99_ms");
                // where a hop's exactly-once commit goes: the coordinator committed in the measured phase
                @SuppressWarnings("unchecked")
                Map<String, Object> commits = (Map<String, Object>) result.get("commit_breakdown");
                assertThat(commits).containsKeys("flush_ms", "send_offsets_ms", "end_txn_ms");
                assertThat((double) commits.get("commits")).isPositive();
            }
            case "fanout", "sensor" -> assertThat(result).containsKeys("p50_ms", "p95_ms", "p99_ms");
            case "throughput" -> {
                assertThat(result).containsKeys("runs_per_min", "p99_ms", "levels");
                // each level: the agent's command loops took the commands (rounds with commands per poll)
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> levels = (List<Map<String, Object>>) result.get("levels");
                @SuppressWarnings("unchecked")
                Map<String, Object> loops = (Map<String, Object>) levels.get(0).get("agent_command_loops");
                assertThat(loops).containsKeys("rounds", "commands_per_poll", "poll_ms_mean", "settle_ms_mean", "slots_ms_mean");
                assertThat((double) loops.get("commands_per_nonempty_poll")).isGreaterThanOrEqualTo(1.0);
                assertThat(levels.get(0)).containsKey("broker_requests_per_run");
            }
            case "recovery" -> {
                assertThat(result).containsKeys("resume_ms", "lost", "duplicated");
                // correctness, not timing: nothing lost, nothing accepted twice
                assertThat(result.get("lost")).isEqualTo(0);
                assertThat(result.get("duplicated")).isEqualTo(0);
            }
            case "backfill" -> {
                assertThat(result).containsKeys("partitions_per_s", "wall_s", "raw_kafka_records_per_s", "memory", "floor",
                        "ratio_to_floor");
                assertThat(result.get("outcome")).isEqualTo("SUCCEEDED"); // correctness, not timing
                // memory per process: the coordinator and the gateway in their own JVMs, the rest in the harness
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> memory = (Map<String, Map<String, Object>>) result.get("memory");
                assertThat(memory).containsOnlyKeys("coordinator", "gateway", "broker_registry_agent");
                for (String c : List.of("coordinator", "gateway")) {
                    assertThat(memory.get(c)).containsKeys("rss_mib", "peak_rss_mib", "heap_before_mib", "heap_after_mib");
                    assertThat(((Number) memory.get(c).get("heap_after_mib")).longValue()).as(c + " heap read through jcmd").isPositive();
                }
            }
            case "foreach" -> {
                for (int n : new int[] {100, 1000}) {
                    assertThat(result.get("status_" + n)).as("%d elements", n).isEqualTo("SUCCEEDED"); // correctness, not timing
                    @SuppressWarnings("unchecked")
                    Map<String, Object> level = (Map<String, Object>) result.get("at_" + n);
                    assertThat(level).containsKeys("floor", "ratio_wall", "cpu_ms_per_run", "records_per_run");
                    assertThat(result).containsKey("state_bytes_per_element_" + n);
                }
            }
            case "jmh" -> assertThat(result.keySet()).anyMatch(k -> k.startsWith("decideAndApply"));
            default -> throw new AssertionError(scenario);
        }
    }
}
