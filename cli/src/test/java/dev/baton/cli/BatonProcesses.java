package dev.baton.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Real {@code baton <command>} processes (the test's own class path, one JVM each), started, killed, frozen and
 * restarted by name: the process handling of the multi-process tests. Each process logs to
 * {@code cli/target/<prefix>-<name>.log}, kept after the test so a failure can be read.
 */
final class BatonProcesses implements AutoCloseable {
    private record Spec(String command, List<String> args, int healthPort) {}

    private final String logPrefix;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Spec> specs = new LinkedHashMap<>();
    private final GatewayHttp http = new GatewayHttp();

    BatonProcesses(String logPrefix) {
        this.logPrefix = logPrefix;
    }

    /** Starts {@code baton command args...} under {@code name}; {@code healthPort} serves /health (0: none). */
    Process start(String name, int healthPort, String command, List<String> args) throws IOException {
        specs.put(name, new Spec(command, List.copyOf(args), healthPort));
        return launch(name);
    }

    /** Runs a one-shot {@code baton command args...} (such as {@code topics}) to its end; its exit code. */
    int runToEnd(String name, String command, List<String> args, Duration atMost) throws IOException, InterruptedException {
        specs.put(name, new Spec(command, List.copyOf(args), 0));
        Process p = launch(name);
        processes.remove(name);
        specs.remove(name);
        if (!p.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            return -1;
        }
        return p.exitValue();
    }

    private Process launch(String name) throws IOException {
        Spec spec = specs.get(name);
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Baton.class.getName(), spec.command()));
        cmd.addAll(spec.args());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", logPrefix + "-" + name + ".log").toFile()))
                .start();
        processes.put(name, p);
        return p;
    }

    /** Waits until {@code name}'s /health answers 200; fails at once when any process of this set has exited. */
    void awaitHealthy(String name, Duration atMost) {
        awaitHealthy(name, atMost, names());
    }

    /** Waits until {@code name}'s /health answers 200; fails at once when any of {@code watched} has exited. */
    private void awaitHealthy(String name, Duration atMost, java.util.Collection<String> watched) {
        int port = specs.get(name).healthPort();
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (String n : watched) {
                Process p = processes.get(n);
                if (p != null && !p.isAlive()) {
                    throw new IllegalStateException(n + " exited; see cli/target/" + logPrefix + "-" + n + ".log");
                }
            }
            try {
                return http.call("http://127.0.0.1:" + port, null, "GET", "/health", null, null).statusCode() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        });
    }

    /**
     * Waits until every one of {@code names} (started together) answers 200 on /health; fails at once when one of them
     * has exited (only them: the others may be down on purpose, as while everything is restarted in order). One
     * deadline for the group, measured from this call.
     */
    void awaitHealthy(java.util.Collection<String> names, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        for (String name : names) {
            awaitHealthy(name, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), names);
        }
    }

    /** Whether {@code name} is running and its /health answers 200 now. */
    boolean healthy(String name) throws InterruptedException {
        if (!alive(name)) {
            return false;
        }
        try {
            return http.call("http://127.0.0.1:" + specs.get(name).healthPort(), null, "GET", "/health", null, null).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The value of a Prometheus gauge on {@code name}'s metrics port (first sample of that name), or -1 when not read. */
    double gauge(String name, String metric) throws InterruptedException {
        try {
            String body = http.call("http://127.0.0.1:" + specs.get(name).healthPort(), null, "GET", "/metrics", null, null).body();
            for (String line : body.split("\n")) {
                if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not read
        }
        return -1;
    }

    /** SIGKILL: no shutdown hook, open transactions and group memberships left to time out. */
    void kill(String name) throws InterruptedException {
        processes.get(name).destroyForcibly().waitFor();
    }

    /** SIGKILL of every one of {@code names} at once (all signalled before waiting for any to go). */
    void killAll(java.util.Collection<String> names) throws InterruptedException {
        List<Process> killed = names.stream().map(processes::get).toList();
        killed.forEach(Process::destroyForcibly);
        for (Process p : killed) {
            p.waitFor();
        }
    }

    /** SIGSTOP: the process freezes (threads, heartbeats, timers) without noticing. */
    void freeze(String name) throws IOException, InterruptedException {
        signal(name, "STOP");
    }

    /** SIGCONT: a frozen process wakes up where it stopped. */
    void thaw(String name) throws IOException, InterruptedException {
        signal(name, "CONT");
    }

    private void signal(String name, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes.get(name).pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + name + " failed");
        }
    }

    /** Starts {@code name} again with the same command line (after a kill, or if it exited). */
    Process restart(String name) throws IOException, InterruptedException {
        Process old = processes.get(name);
        if (old != null && old.isAlive()) {
            old.destroyForcibly().waitFor();
        }
        return launch(name);
    }

    boolean alive(String name) {
        return processes.get(name).isAlive();
    }

    List<String> names() {
        return List.copyOf(processes.keySet());
    }

    /** Stops every process: SIGTERM to all, then SIGKILL to those still there after 20 s. */
    @Override
    public void close() {
        for (Process p : processes.values()) {
            p.destroy();
        }
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** Ports handed out in this JVM: processes started together get their ports before any binds, so none twice. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }
}
