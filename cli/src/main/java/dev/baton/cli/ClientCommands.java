package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that drive a running Baton through its REST API. */
final class ClientCommands {
    private ClientCommands() {}

    static final Set<String> FINISHED = Set.of("SUCCEEDED", "FAILED", "CANCELED");

    abstract static class Base implements Callable<Integer> {
        @Mixin ClientOptions options;
        @Spec CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(name = "apply", description = "Register (or update) job definitions from YAML or JSON files.", mixinStandardHelpOptions = true)
    static final class Apply extends Base {
        @Option(names = {"-f", "--file"}, required = true, description = "Job file(s) or directories of them.")
        List<Path> files;

        @Override
        public Integer call() {
            ApiClient api = options.client();
            int failed = 0;
            for (Path f : expand(files)) {
                String text;
                try {
                    text = Files.readString(f);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + f, e);
                }
                String type = f.toString().endsWith(".json") ? "application/json" : "application/yaml";
                try {
                    JsonNode r = api.post("/api/v1/jobs", type, text);
                    if (options.json()) {
                        Output.json(out(), r);
                    } else {
                        out().printf("%s: registered %s version %s%n", f, r.path("name").asText(), r.path("version").asText());
                    }
                } catch (ApiClient.ApiException e) {
                    err().printf("%s: %s%n", f, e.getMessage());
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }

        static List<Path> expand(List<Path> paths) {
            return paths.stream().flatMap(p -> {
                if (Files.isDirectory(p)) {
                    try (var s = Files.list(p)) {
                        return s.filter(x -> x.toString().matches(".*\\.(ya?ml|json)$")).sorted().toList().stream();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return java.util.stream.Stream.of(p);
            }).toList();
        }
    }

    @Command(name = "run", description = "Trigger a run of a job.", mixinStandardHelpOptions = true)
    static final class Run extends Base {
        @Parameters(index = "0", description = "Job name.")
        String job;

        @Option(names = {"-p", "--param"}, description = "Run parameter key=value (repeatable).")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = {"-t", "--tag"}, description = "Tag key=value (repeatable).")
        Map<String, String> tags = new LinkedHashMap<>();

        @Option(names = "--run-key", description = "Idempotency key: a second run with the same key is the same run.")
        String runKey;

        @Option(names = {"-w", "--wait"}, description = "Wait until the run finishes; exit code 0 only if it succeeded.")
        boolean await;

        @Option(names = "--timeout", description = "How long --wait waits (ISO-8601, default PT1H).")
        Duration timeout = Duration.ofHours(1);

        @Override
        public Integer call() throws InterruptedException {
            ApiClient api = options.client();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("params", params);
            body.put("tags", tags);
            if (runKey != null) {
                body.put("runKey", runKey);
            }
            JsonNode r = api.postJson("/api/v1/jobs/" + job + "/runs", body);
            String runId = r.path("runId").asText();
            if (!await) {
                if (options.json()) {
                    Output.json(out(), r);
                } else {
                    out().println(runId);
                }
                return 0;
            }
            return waitFor(api, runId, timeout, options.json(), out());
        }
    }

    static int waitFor(ApiClient api, String runId, Duration timeout, boolean json, PrintWriter out) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        JsonNode run = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                run = api.get("/api/v1/runs/" + runId, Map.of());
            } catch (ApiClient.ApiException e) {
                if (e.status != 404) {
                    throw e;
                }
            }
            if (run != null) {
                String status = run.path("status").asText();
                StringBuilder line = new StringBuilder(status);
                for (JsonNode s : run.path("steps")) {
                    line.append("  ").append(s.path("key").asText()).append('=').append(s.path("status").asText());
                }
                if (!json && !line.toString().equals(last)) {
                    out.printf("%s %s%n", runId, line);
                    out.flush();
                    last = line.toString();
                }
                if (FINISHED.contains(status)) {
                    if (json) {
                        Output.json(out, run);
                    }
                    return "SUCCEEDED".equals(status) ? 0 : 1;
                }
            }
            Thread.sleep(250);
        }
        out.printf("%s still not finished after %s%n", runId, timeout);
        return 2;
    }

    @Command(name = "runs", description = "List runs (newest first), or show one with `runs get ID`.", mixinStandardHelpOptions = true,
            subcommands = RunsGet.class)
    static final class Runs extends Base {
        @Option(names = "--job", description = "Only runs of this job.")
        String job;

        @Option(names = "--status", description = "Only runs in this status (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELED).")
        String status;

        @Option(names = "--limit", description = "At most this many (default 20).")
        int limit = 20;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("job", job);
            q.put("status", status);
            q.put("limit", String.valueOf(limit));
            JsonNode r = options.client().get("/api/v1/runs", q);
            if (options.json()) {
                Output.json(out(), r);
            } else {
                Output.table(out(), Output.items(r, "runs"), "runId", "job", "status", "origin", "created=requestedAt",
                        "ended=endedAt", "reason");
            }
            return 0;
        }
    }

    @Command(name = "get", description = "Show one run with its steps.", mixinStandardHelpOptions = true)
    static final class RunsGet extends Base {
        @Parameters(index = "0", description = "Run id.")
        String runId;

        @Override
        public Integer call() {
            JsonNode r = options.client().get("/api/v1/runs/" + runId, Map.of());
            if (options.json()) {
                Output.json(out(), r);
                return 0;
            }
            out().printf("run     %s%njob     %s%nstatus  %s%n", r.path("runId").asText(), r.path("job").asText(), r.path("status").asText());
            if (r.hasNonNull("parentRunId")) {
                out().printf("parent  %s%n", r.path("parentRunId").asText());
            }
            out().println();
            if (r.hasNonNull("reason")) {
                out().printf("reason  %s%n", r.path("reason").asText());
            }
            Output.table(out(), r.path("steps"), "key", "status", "attempts", "startedAt", "endedAt", "outputs", "error");
            return 0;
        }
    }

    @Command(name = "logs", description = "Print a run's log lines; -f follows new ones.", mixinStandardHelpOptions = true)
    static final class Logs extends Base {
        @Parameters(index = "0", description = "Run id.")
        String runId;

        @Option(names = {"-f", "--follow"}, description = "Keep printing new lines as they arrive.")
        boolean follow;

        @Override
        public Integer call() {
            ApiClient api = options.client();
            if (follow) {
                api.stream("/api/v1/runs/" + runId + "/logs", data -> {
                    try {
                        printLine(ApiClient.JSON.readTree(data));
                    } catch (IOException e) {
                        out().println(data);
                    }
                    out().flush();
                });
                return 0;
            }
            JsonNode r = api.get("/api/v1/runs/" + runId + "/logs", Map.of());
            if (options.json()) {
                Output.json(out(), r);
            } else {
                for (JsonNode line : Output.items(r, "lines", "logs")) {
                    printLine(line);
                }
            }
            return 0;
        }

        void printLine(JsonNode l) {
            out().printf("%s %s#%s %s | %s%n", l.path("time").asText(""), l.path("step").asText(l.path("stepKey").asText("")),
                    l.path("attempt").asText(""), l.path("stream").asText(""), l.path("text").asText(""));
        }
    }

    @Command(name = "cancel", description = "Cancel a run.", mixinStandardHelpOptions = true)
    static final class Cancel extends Base {
        @Parameters(index = "0", description = "Run id.")
        String runId;

        @Option(names = "--reason", description = "Why (recorded in the run's history).")
        String reason = "canceled from the CLI";

        @Override
        public Integer call() {
            JsonNode r = options.client().postJson("/api/v1/runs/" + runId + "/cancel", Map.of("reason", reason));
            if (options.json()) {
                Output.json(out(), r);
            } else {
                out().printf("cancel requested for %s%n", runId);
            }
            return 0;
        }
    }

    @Command(name = "retry", description = "Re-execute a failed run from its point of failure (a new run reusing succeeded steps).",
            mixinStandardHelpOptions = true)
    static final class Retry extends Base {
        @Parameters(index = "0", description = "Run id.")
        String runId;

        @Option(names = {"-w", "--wait"}, description = "Wait for the new run to finish.")
        boolean await;

        @Override
        public Integer call() throws InterruptedException {
            ApiClient api = options.client();
            JsonNode r = api.postJson("/api/v1/runs/" + runId + "/retry", Map.of());
            String child = r.path("runId").asText();
            if (await) {
                return waitFor(api, child, Duration.ofHours(1), options.json(), out());
            }
            if (options.json()) {
                Output.json(out(), r);
            } else {
                out().println(child);
            }
            return 0;
        }
    }

    @Command(name = "assets", description = "List assets, or show one asset's materializations.", mixinStandardHelpOptions = true)
    static final class Assets extends Base {
        @Parameters(index = "0", arity = "0..1", description = "Asset key.")
        String key;

        @Override
        public Integer call() {
            ApiClient api = options.client();
            if (key == null) {
                JsonNode r = api.get("/api/v1/assets", Map.of());
                if (options.json()) {
                    Output.json(out(), r);
                } else {
                    Output.table(out(), Output.items(r, "assets"), "key=assetKey", "job=declaredBy.job", "step=declaredBy.step",
                            "materializations=materializationCount", "last=latest.timestamp");
                }
                return 0;
            }
            JsonNode r = api.get("/api/v1/assets/" + key, Map.of());
            if (options.json()) {
                Output.json(out(), r);
            } else {
                Output.table(out(), Output.items(r, "materializations"), "timestamp", "runId", "stepKey", "partition",
                        "dataVersion", "metadata");
            }
            return 0;
        }
    }

    @Command(name = "agents", description = "List agents in every region.", mixinStandardHelpOptions = true)
    static final class Agents extends Base {
        @Override
        public Integer call() {
            JsonNode r = options.client().get("/api/v1/agents", Map.of());
            if (options.json()) {
                Output.json(out(), r);
            } else {
                Output.table(out(), Output.items(r, "agents"), "agentId", "pools", "region", "host", "state", "slots",
                        "running", "lastSeen=lastHeartbeat");
            }
            return 0;
        }
    }
}
