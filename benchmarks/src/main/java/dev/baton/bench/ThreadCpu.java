package dev.baton.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time of another JVM's threads over a window, read from {@code /proc/<pid>/task/<tid>/stat} (user + system clock
 * ticks: reading it costs the measured process nothing), named after the window by one {@code jcmd <pid> Thread.print}
 * (the kernel keeps only 15 characters of a thread's name; the dump maps each native id to the full Java name). Threads
 * are grouped by name with UUIDs and numbers folded ({@code baton-coordinator-<id>-StreamThread-N}), so the same kind of
 * thread of several components or pools shows as one row. Linux only: elsewhere a snapshot is empty.
 */
final class ThreadCpu {
    /** Kernel clock ticks per second (USER_HZ), 100 on every Linux Baton is developed on. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Pattern DUMP_LINE = Pattern.compile("^\"(.*)\" (?:#\\d+ )?.*?\\bnid=(\\d+)\\b");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private ThreadCpu() {}

    /** One snapshot: CPU ticks by thread id, and each thread's kernel name (the fallback when the dump lacks it). */
    record Snapshot(Map<Long, Long> ticks, Map<Long, String> comm) {}

    /** A row of the breakdown: a thread kind, how many threads of it used CPU, and their CPU seconds. */
    record Row(String kind, int threads, double cpuSeconds) {}

    static Snapshot snapshot(long pid) {
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, String> comm = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int close = stat.lastIndexOf(')'); // the name may hold spaces and parentheses
                    String[] f = stat.substring(close + 2).split(" ");
                    // after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
                    long tid = Long.parseLong(t.getFileName().toString());
                    ticks.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    comm.put(tid, stat.substring(stat.indexOf('(') + 1, close));
                } catch (IOException | RuntimeException ended) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException notLinux) {
            // no /proc: an empty snapshot
        }
        return new Snapshot(ticks, comm);
    }

    /** Full Java thread names by native thread id, from {@code jcmd <pid> Thread.print}; empty when jcmd fails. */
    static Map<Long, String> javaNames(long pid) {
        Map<Long, String> names = new HashMap<>();
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process p = new ProcessBuilder(jcmd, String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : text.split("\n")) {
                Matcher m = DUMP_LINE.matcher(line);
                if (m.find()) {
                    names.put(Long.parseLong(m.group(2)), m.group(1));
                }
            }
        } catch (IOException e) {
            // no jcmd: the kernel's short names
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return names;
    }

    /**
     * CPU seconds the JIT's compiler threads used between two snapshots of one process, by their kernel names (no thread
     * dump needed). A compiler thread that ended in between (HotSpot adds and removes them with the queue) is not
     * counted, so this is a lower bound.
     */
    static double jitSeconds(Snapshot before, Snapshot after) {
        long ticks = 0;
        for (Map.Entry<Long, Long> e : after.ticks().entrySet()) {
            if (isJitCompiler(kind(after.comm().getOrDefault(e.getKey(), "")))) {
                ticks += Math.max(0, e.getValue() - before.ticks().getOrDefault(e.getKey(), 0L));
            }
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** Whether a thread kind is one of the JIT's compiler threads (the kernel truncates names to 15 characters). */
    static boolean isJitCompiler(String kind) {
        return kind.startsWith(kind("C2 CompilerThre"));
    }

    /** A thread's kind: its name with UUIDs and digit runs folded. */
    static String kind(String name) {
        return UUID.matcher(name).replaceAll("<id>").replaceAll("\\d+", "N");
    }

    /** The CPU each kind of thread used between two snapshots, largest first. */
    static List<Row> breakdown(Snapshot before, Snapshot after, Map<Long, String> names) {
        Map<String, double[]> byKind = new LinkedHashMap<>();
        after.ticks().forEach((tid, t) -> {
            long d = t - before.ticks().getOrDefault(tid, 0L);
            if (d > 0) {
                String name = names.getOrDefault(tid, after.comm().getOrDefault(tid, "?") + " (no Java name)");
                double[] v = byKind.computeIfAbsent(kind(name), k -> new double[2]);
                v[0]++;
                v[1] += d / TICKS_PER_SECOND;
            }
        });
        List<Row> rows = new ArrayList<>();
        byKind.forEach((k, v) -> rows.add(new Row(k, (int) v[0], v[1])));
        rows.sort((a, b) -> Double.compare(b.cpuSeconds(), a.cpuSeconds()));
        return rows;
    }
}
