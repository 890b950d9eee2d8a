package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the benchmarks group threads by kind (shared by `idle`'s split and `recovery`'s restart breakdown). */
class ThreadCpuTest {
    @Test
    void foldsIdsAndNumbersSoThreadsOfOneKindShareAName() {
        assertThat(ThreadCpu.kind("baton-coordinator-1faa4740-6ff7-42d8-ba80-784889a01734-StreamThread-3"))
                .isEqualTo("baton-coordinator-<id>-StreamThread-N");
        assertThat(ThreadCpu.kind("kafka-producer-network-thread | p-12")).isEqualTo("kafka-producer-network-thread | p-N");
    }

    @Test
    void recognisesTheJitCompilerThreadsByTheirJavaAndTheirTruncatedKernelNames() {
        assertThat(ThreadCpu.isJitCompiler(ThreadCpu.kind("C2 CompilerThread0"))).isTrue();
        assertThat(ThreadCpu.isJitCompiler(ThreadCpu.kind("C1 CompilerThread11"))).isTrue();
        assertThat(ThreadCpu.isJitCompiler(ThreadCpu.kind("C2 CompilerThre"))).isTrue(); // /proc comm, 15 characters
        assertThat(ThreadCpu.isJitCompiler(ThreadCpu.kind("G1 Conc#0"))).isFalse();
        assertThat(ThreadCpu.isJitCompiler(ThreadCpu.kind("main"))).isFalse();
    }

    @Test
    void jitSecondsCountsOnlyTheCompilerThreadsTicksBetweenTwoSnapshots() {
        ThreadCpu.Snapshot before = new ThreadCpu.Snapshot(Map.of(1L, 100L, 2L, 50L, 3L, 10L),
                Map.of(1L, "C2 CompilerThre", 2L, "data-plane-kafk", 3L, "C1 CompilerThre"));
        // Thread 4, a compiler thread that started in between, counts from zero; thread 3 ended and is not counted.
        ThreadCpu.Snapshot after = new ThreadCpu.Snapshot(Map.of(1L, 250L, 2L, 900L, 4L, 30L),
                Map.of(1L, "C2 CompilerThre", 2L, "data-plane-kafk", 4L, "C1 CompilerThre"));
        assertThat(ThreadCpu.jitSeconds(before, after)).isEqualTo(1.8); // (150 + 30) ticks at 100 per second
    }

    @Test
    void jitSecondsOfThisProcessIsAFigureNotAnError() {
        ThreadCpu.Snapshot now = ThreadCpu.snapshot(ProcessHandle.current().pid());
        assertThat(ThreadCpu.jitSeconds(now, ThreadCpu.snapshot(ProcessHandle.current().pid()))).isNotNegative();
    }
}
