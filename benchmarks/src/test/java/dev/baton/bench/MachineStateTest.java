package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The machine-state line printed next to every scenario's figures. */
class MachineStateTest {
    @Test
    void theMemoryWalkVisitsEveryEntryOnceInOneCycle() {
        int n = 1_000;
        int[] next = MachineState.sattoloCycle(n, new SplittableRandom(7));
        boolean[] seen = new boolean[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            assertThat(seen[at]).as("entry %d visited twice before the cycle closed", at).isFalse();
            seen[at] = true;
            at = next[at];
        }
        assertThat(at).isZero();
        assertThat(MachineState.walkLoop(next, n)).isZero();
    }

    @Test
    void aWindowReportsBusyStealAndPressureShares() {
        MachineState window = MachineState.beginWithoutProbes();
        long until = System.nanoTime() + 200_000_000L; // 0.2 s of work: /proc/stat counts in 10 ms ticks
        long h = 0;
        while (System.nanoTime() < until) {
            h += MachineState.hashLoop(100_000);
        }
        Map<String, Object> m = window.end();
        assertThat(h).isNotEqualTo(1);
        assertThat(m).containsKeys("probe_compute_ms_before", "probe_memory_ns_after", "load_before");
        assertThat((Double) m.get("busy_pct")).isBetween(0.0, 100.0);
        assertThat((Double) m.get("steal_pct")).isBetween(0.0, 100.0);
        assertThat(MachineState.describe(m)).contains("steal").contains("CPU pressure");
    }
}
