package dev.baton.agent.internal;

import dev.baton.events.LogStream;
import dev.baton.events.MaterializationReport;
import dev.baton.events.RunAction;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run} steps: a script run by a shell in its own session, output streamed line by line,
 * outputs read from {@code $BATON_OUTPUT} after a zero exit code.
 *
 * <p>Command line: {@code <shell> -c <script>} where {@code shell} is split on whitespace
 * ({@code bash} by default); a shell containing {@code {0}} gets the path of a file holding the
 * script instead (for example {@code python3 {0}}). The bare names {@code bash} and {@code sh} stop at
 * the first failing command (see {@link #resolveShell}); any other shell string runs as written.
 */
final class ProcessRunner implements StepRunner {
    private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);
    /** A line longer than this many bytes is passed on in pieces rather than buffered whole. */
    private static final int MAX_LINE_BYTES = 64 * 1024;
    /** Variables every step gets from the agent even when the environment is not inherited. */
    private static final Set<String> BASE_ENV = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SHELL");
    static final String ENV_PREFIX = "BATON_";

    private final Attempt attempt;
    private final RunAction action;
    private final boolean inheritEnv;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private final boolean ownSession;
    private volatile Process process;
    private volatile String lastStderr = "";

    ProcessRunner(Attempt attempt, RunAction action, boolean inheritEnv) {
        this.attempt = attempt;
        this.action = action;
        this.inheritEnv = inheritEnv;
        this.ownSession = ProcessTree.setsid().isPresent();
    }

    @Override public String kind() { return "run"; }

    @Override public CompletableFuture<Outcome> completion() { return done; }

    @Override
    public OptionalLong start() throws IOException {
        Path dir = attempt.workDir();
        Path meta = Files.createDirectories(dir.resolve(".baton"));
        Path outputs = meta.resolve("output");
        Path materializations = meta.resolve("materializations");
        Files.write(outputs, new byte[0]);
        Files.write(materializations, new byte[0]);

        Path cwd = dir;
        if (action.getWorkingDir() != null && !action.getWorkingDir().isBlank()) {
            cwd = dir.resolve(action.getWorkingDir());
            if (!Files.isDirectory(cwd)) {
                throw new IOException("working directory " + cwd + " does not exist");
            }
        }

        List<String> command = new ArrayList<>();
        ProcessTree.setsid().ifPresent(p -> command.add(p.toString()));
        command.addAll(shellCommand(resolveShell(action.getShell()), action.getScript(), meta));

        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        if (!inheritEnv) {
            env.keySet().retainAll(BASE_ENV);
        }
        // The agent's own configuration may arrive as BATON_* variables, secrets included: never pass them on.
        env.keySet().removeIf(k -> k.startsWith(ENV_PREFIX));
        // Never the agent's own trace context, if it has one; the run's (below) wins over the step's env.
        env.remove("TRACEPARENT");
        env.remove("TRACESTATE");
        env.putAll(action.getEnv());
        // The run's trace context (W3C), so that the step's own instrumentation joins the run's trace.
        if (attempt.trace() != null) {
            env.put("TRACEPARENT", attempt.trace().traceparent());
            if (attempt.trace().tracestate() != null) {
                env.put("TRACESTATE", attempt.trace().tracestate());
            }
        }
        attempt.params().forEach((k, v) -> env.put(ENV_PREFIX + "PARAM_" + envName(k), v));
        attempt.inputs().forEach((step, outs) ->
                outs.forEach((k, v) -> env.put(ENV_PREFIX + "INPUT_" + envName(step) + "_" + envName(k), v)));
        env.put("BATON_JOB", attempt.job());
        env.put("BATON_RUN_ID", attempt.runId());
        env.put("BATON_STEP", attempt.stepKey());
        env.put("BATON_ATTEMPT", String.valueOf(attempt.attempt()));
        env.put("BATON_ATTEMPT_ID", attempt.attemptId());
        env.put("BATON_OUTPUT", outputs.toString());
        env.put("BATON_MATERIALIZATIONS", materializations.toString());
        env.put("BATON_WORK_DIR", dir.toString());

        File devNull = new File("/dev/null");
        if (devNull.exists()) {
            pb.redirectInput(devNull);
        }
        Process p = pb.start();
        this.process = p;
        if (!devNull.exists()) {
            p.getOutputStream().close();
        }
        Thread out = Thread.ofVirtual().name("out-" + attempt.attemptId()).start(
                () -> pump(p.getInputStream(), line -> attempt.log().append(LogStream.STDOUT, line)));
        Thread err = Thread.ofVirtual().name("err-" + attempt.attemptId()).start(
                () -> pump(p.getErrorStream(), line -> {
                    lastStderr = line;
                    attempt.log().append(LogStream.STDERR, line);
                }));
        Thread.ofVirtual().name("wait-" + attempt.attemptId()).start(() -> awaitExit(p, out, err, outputs, materializations));
        return OptionalLong.of(p.pid());
    }

    private void awaitExit(Process p, Thread out, Thread err, Path outputs, Path materializations) {
        try {
            int exit = p.onExit().get().exitValue(); // parks; waitFor() would pin a carrier thread on JDK 21
            if (!joinReaders(out, err, Duration.ofMillis(500))) {
                // Background processes of the step still hold its stdout/stderr: the step is over, end them.
                attempt.log().system("The step's main process exited; stopping processes it left running");
                killLeftovers(Duration.ofSeconds(2));
                if (!joinReaders(out, err, Duration.ofSeconds(5))) {
                    closeQuietly(p.getInputStream());
                    closeQuietly(p.getErrorStream());
                    joinReaders(out, err, Duration.ofSeconds(1));
                }
            }
            done.complete(result(exit, outputs, materializations));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.complete(Outcome.infrastructure("interrupted while waiting for the step's process", true));
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
            done.complete(Outcome.infrastructure("agent error: " + e, true));
        }
    }

    private Outcome result(int exit, Path outputsFile, Path materializationsFile) {
        if (attempt.canceled().get()) {
            return Outcome.userError("terminated", exit, false); // replaced by the canceling party's outcome
        }
        if (exit != 0) {
            attempt.log().system("Process exited with code " + exit);
            String hint = lastStderr.isBlank() ? "" : ": " + abbreviate(lastStderr, 300);
            return Outcome.userError("exit code " + exit + hint, exit, true);
        }
        Map<String, String> outputs;
        List<MaterializationReport> mats;
        try {
            outputs = OutputFile.read(outputsFile);
        } catch (OutputFile.FormatException e) {
            return Outcome.userError("invalid $BATON_OUTPUT file: " + e.getMessage(), 0, false);
        } catch (IOException e) {
            return Outcome.infrastructure("cannot read $BATON_OUTPUT: " + e.getMessage(), true);
        }
        try {
            mats = Materializations.readJsonLines(materializationsFile);
        } catch (Materializations.FormatException e) {
            return Outcome.userError("invalid $BATON_MATERIALIZATIONS file: " + e.getMessage(), 0, false);
        } catch (IOException e) {
            return Outcome.infrastructure("cannot read $BATON_MATERIALIZATIONS: " + e.getMessage(), true);
        }
        var tooLarge = attempt.checkOutputSize(outputs, Map.of());
        if (tooLarge.isPresent()) {
            return tooLarge.get();
        }
        return new Outcome.Succeeded(outputs, Map.of(), mats);
    }

    @Override
    public void terminate(Duration grace) {
        Process p = process;
        if (p == null) {
            return;
        }
        if (!ProcessTree.kill(p.toHandle(), ownSession, grace)) {
            log.warn("Processes of attempt {} survived SIGKILL", attempt.attemptId());
        }
    }

    private void killLeftovers(Duration grace) {
        Process p = process;
        if (p != null && ownSession) {
            ProcessTree.kill(p.toHandle(), true, grace);
        }
    }

    @Override
    public void cleanUp() {
        // Daemons the step started and detached from its output would outlive it: the attempt's session ends with it.
        killLeftovers(Duration.ofSeconds(2));
    }

    /** The default shell, as GitHub Actions runs {@code shell: bash}: no start-up files, stop on the first failing command or pipeline stage. */
    static final String BASH_FAIL_FAST = "bash --noprofile --norc -e -o pipefail";
    /** POSIX sh has no portable {@code pipefail}; {@code -e} still stops at the first failing command. */
    static final String SH_FAIL_FAST = "sh -e";

    /**
     * The command line of a step's shell: the bare names {@code bash} (also the default) and {@code sh} fail on
     * the first failing command, like GitHub Actions; any other string ({@code "bash {0}"}, {@code "bash -x"},
     * {@code python3}) runs exactly as written, which is the per-step opt-out.
     */
    static String resolveShell(String shell) {
        String s = shell == null || shell.isBlank() ? "bash" : shell.strip();
        return switch (s) {
            case "bash" -> BASH_FAIL_FAST;
            case "sh" -> SH_FAIL_FAST;
            default -> s;
        };
    }

    static List<String> shellCommand(String shell, String script, Path scriptDir) throws IOException {
        String s = shell == null || shell.isBlank() ? "bash" : shell.strip();
        List<String> parts = new ArrayList<>(List.of(s.split("\\s+")));
        if (s.contains("{0}")) {
            Path file = scriptDir.resolve("script");
            Files.writeString(file, script, StandardCharsets.UTF_8);
            parts.replaceAll(a -> a.replace("{0}", file.toString()));
            return parts;
        }
        parts.add("-c");
        parts.add(script);
        return parts;
    }

    /** {@code my-param.x} → {@code MY_PARAM_X}. */
    static String envName(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toUpperCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return b.toString();
    }

    /** Splits a byte stream into UTF-8 lines (\n or \r\n), passing very long lines on in pieces. */
    static void pump(InputStream in, Consumer<String> sink) {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        line.write(buf, start, i - start);
                        emit(line, sink);
                        start = i + 1;
                    }
                }
                line.write(buf, start, n - start);
                if (line.size() >= MAX_LINE_BYTES) {
                    emit(line, sink);
                }
            }
        } catch (IOException e) {
            // stream closed: the process is gone
        }
        if (line.size() > 0) {
            emit(line, sink);
        }
    }

    private static void emit(ByteArrayOutputStream line, Consumer<String> sink) {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        sink.accept(s);
    }

    private static boolean joinReaders(Thread out, Thread err, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        out.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        err.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        return !out.isAlive() && !err.isAlive();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

}
