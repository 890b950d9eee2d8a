package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How busy and how fast the machine was around a scenario, printed next to its figures: the same code measured 2×
 * apart on the same machine kind on one day while the raw-Kafka floors moved by a tenth to a third, and these say which
 * machine state a figure was taken in.
 *
 * <ul>
 *   <li>From {@code /proc/stat} over the scenario: the machine's busy share of all cores, and <em>steal</em> (time the
 *       hypervisor gave this VM's virtual CPUs to someone else while they had work).</li>
 *   <li>From {@code /proc/pressure/cpu}: the share of wall time in which some runnable task waited for a core.</li>
 *   <li>Two probes before and after the scenario, single-threaded, best of five: a compute loop (integer hashing in
 *       registers and L1) and a memory walk (dependent loads over 64 MiB, so cache and memory latency). A probe slower
 *       after than before, or slower than on another day, is the machine, not Baton.</li>
 * </ul>
 * Linux only: elsewhere the fields are absent.
 */
final class MachineState {
    private static final int WALK_ENTRIES = 16 << 20; // 64 MiB of ints
    private static final int WALK_STEPS = 1 << 20;
    private static final int HASH_ROUNDS = 20_000_000;

    private final long[] cpuStart;
    private final long pressureStart;
    private final long nanosStart;
    private final String loadStart;
    private final Probe probeStart;
    private static volatile long sink;

    record Probe(double computeMs, double memoryNsPerLoad) {}

    private final boolean probes;

    private MachineState(boolean probes) {
        this.probes = probes;
        probeStart = probes ? probe() : new Probe(Double.NaN, Double.NaN);
        loadStart = IdleBench.loadAverage();
        cpuStart = cpuJiffies();
        pressureStart = pressureSomeMicros();
        nanosStart = System.nanoTime();
    }

    /** Probes the machine and starts the window. */
    static MachineState begin() {
        return new MachineState(true);
    }

    /** A window without the probes (about a second each). */
    static MachineState beginWithoutProbes() {
        return new MachineState(false);
    }

    /** Ends the window, probes again, and returns the figures (printed by the caller). */
    Map<String, Object> end() {
        long[] cpuEnd = cpuJiffies();
        long pressureEnd = pressureSomeMicros();
        double wallSeconds = (System.nanoTime() - nanosStart) / 1e9;
        String loadEnd = IdleBench.loadAverage();
        Probe probeEnd = probes ? probe() : new Probe(Double.NaN, Double.NaN);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", wallSeconds);
        if (cpuStart.length >= 8 && cpuEnd.length >= 8) {
            long total = 0;
            for (int i = 0; i < 8; i++) {
                total += cpuEnd[i] - cpuStart[i];
            }
            long idle = (cpuEnd[3] - cpuStart[3]) + (cpuEnd[4] - cpuStart[4]);
            if (total > 0) {
                m.put("busy_pct", 100.0 * (total - idle) / total);
                m.put("steal_pct", 100.0 * (cpuEnd[7] - cpuStart[7]) / total);
            }
        }
        if (pressureStart >= 0 && pressureEnd >= 0 && wallSeconds > 0) {
            m.put("cpu_pressure_some_pct", 100.0 * (pressureEnd - pressureStart) / 1e6 / wallSeconds);
        }
        m.put("probe_compute_ms_before", probeStart.computeMs());
        m.put("probe_compute_ms_after", probeEnd.computeMs());
        m.put("probe_memory_ns_before", probeStart.memoryNsPerLoad());
        m.put("probe_memory_ns_after", probeEnd.memoryNsPerLoad());
        m.put("load_before", firstField(loadStart));
        m.put("load_after", firstField(loadEnd));
        return m;
    }

    /** One readable line of {@link #end}'s figures. */
    static String describe(Map<String, Object> m) {
        return String.format(Locale.ROOT,
                "machine over the scenario (%.0f s): busy %.0f%% of all cores, steal %.1f%%, CPU pressure (some) %.1f%% of "
                        + "the time; probes before/after (best of 5): compute %.1f/%.1f ms, memory %.0f/%.0f ns per load; "
                        + "load average %s -> %s",
                m.get("seconds"), num(m.get("busy_pct")), num(m.get("steal_pct")), num(m.get("cpu_pressure_some_pct")),
                m.get("probe_compute_ms_before"), m.get("probe_compute_ms_after"), m.get("probe_memory_ns_before"),
                m.get("probe_memory_ns_after"), m.get("load_before"), m.get("load_after"));
    }

    private static double num(Object o) {
        return o instanceof Double d ? d : Double.NaN;
    }

    static Probe probe() {
        // Allocated per probe and dropped after it: the chain scenario's stack shares this JVM's heap.
        int[] walk = sattoloCycle(WALK_ENTRIES, new SplittableRandom(42));
        double[] compute = new double[5];
        double[] memory = new double[5];
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            sink += hashLoop(HASH_ROUNDS);
            long t1 = System.nanoTime();
            sink += walkLoop(walk, WALK_STEPS);
            long t2 = System.nanoTime();
            compute[r] = (t1 - t0) / 1e6;
            memory[r] = (double) (t2 - t1) / WALK_STEPS;
        }
        return new Probe(Arrays.stream(compute).min().orElseThrow(), Arrays.stream(memory).min().orElseThrow());
    }

    static long hashLoop(int rounds) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < rounds; i++) {
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h += i;
        }
        return h;
    }

    static long walkLoop(int[] next, int steps) {
        int at = 0;
        for (int i = 0; i < steps; i++) {
            at = next[at];
        }
        return at;
    }

    /** A random permutation that is one cycle through every index (Sattolo's algorithm): a walk visits all of them. */
    static int[] sattoloCycle(int n, SplittableRandom random) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static long[] cpuJiffies() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    return Arrays.stream(line.substring(4).trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // absent
        }
        return new long[0];
    }

    private static long pressureSomeMicros() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some ")) {
                    return Long.parseLong(line.substring(line.indexOf("total=") + 6).trim());
                }
            }
        } catch (IOException | RuntimeException notAvailable) {
            // no PSI in this kernel
        }
        return -1;
    }

    private static String firstField(String loadavg) {
        int space = loadavg.indexOf(' ');
        return space < 0 ? loadavg : loadavg.substring(0, space);
    }
}
