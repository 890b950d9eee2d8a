package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
}
