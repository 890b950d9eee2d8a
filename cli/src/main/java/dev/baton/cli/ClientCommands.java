package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.jobs.JobParser;
import dev.baton.jobs.JobValidationException;
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
                    text = JobParser.decode(Files.readAllBytes(f)); // strict UTF-8: invalid bytes are an error, not '\uFFFD'
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + f, e);
                } catch (JobValidationException e) {
                    e.problems().forEach(p -> err().printf("%s: %s%n", f, p.message()));
                    failed++;
                    continue;
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

        @Option(names = "--partition", description = "Partition key to run (partitioned jobs, e.g. 2026-01-15 or 2026-01-15|eu).")
        String partition;

        @Option(names = "--no-cache", description = "Bypass the step cache: steps with a cache run (and refresh their entries).")
        boolean noCache;

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
            if (partition != null) {
                body.put("partition", partition);
            }
            if (noCache) {
                body.put("noCache", true);
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

    @Command(name = "assets", description = "List assets, or show one asset: declaration, freshness, checks and materializations.",
            mixinStandardHelpOptions = true)
    static final class Assets extends Base {
        @Parameters(index = "0", arity = "0..1", description = "Asset key.")
        String key;

        @Option(names = "--limit", description = "Materializations to show (default 10).")
        int limit = 10;

        @Override
        public Integer call() {
            ApiClient api = options.client();
            if (key == null) {
                JsonNode r = api.get("/api/v1/assets", Map.of("limit", "1000"));
                if (options.json()) {
                    Output.json(out(), r);
                } else {
                    Output.table(out(), Output.items(r, "assets"), "key=assetKey", "group", "job=declaredBy.job", "step=declaredBy.step",
                            "materializations=materializationCount", "last=lastMaterializedAt", "freshness=freshness.status",
                            "failing=failingChecks");
                }
                return 0;
            }
            JsonNode r = api.get("/api/v1/assets/" + key, Map.of("limit", String.valueOf(limit)));
            if (options.json()) {
                Output.json(out(), r);
                return 0;
            }
            PrintWriter out = out();
            out.printf("asset         %s%n", r.path("assetKey").asText());
            JsonNode decl = r.path("declaredBy");
            if (!decl.isMissingNode()) {
                out.printf("produced by   %s.%s%n", decl.path("job").asText(), decl.path("step").asText());
            }
            printIf(out, "group", r.path("group").asText(""));
            if (r.path("owners").size() > 0) {
                printIf(out, "owners", String.join(", ", texts(r.path("owners"))));
            }
            printIf(out, "description", r.path("description").asText(""));
            if (decl.path("deps").size() > 0) {
                printIf(out, "deps", String.join(", ", texts(decl.path("deps"))));
            }
            out.printf("freshness     %s%n", freshness(r.path("freshness")));
            out.printf("materialized  %s time(s)%s%n", r.path("materializationCount").asText("0"),
                    r.hasNonNull("lastMaterializedAt") ? ", last at " + r.path("lastMaterializedAt").asText() : "");
            out.println();
            out.printf("checks (%s failing)%n", r.path("failingChecks").asText("0"));
            Output.table(out, r.path("checks"), "name", "severity", "outcome", "expression", "materialization=materializationId",
                    "time=timestamp", "message");
            out.println();
            out.println("materializations (newest first)");
            ArrayNode mats = ApiClient.JSON.createArrayNode();
            for (JsonNode m : r.path("materializations")) {
                ObjectNode row = m.deepCopy();
                row.put("meta", metadata(m.path("metadata")));
                row.put("checkResults", checkSummary(m.path("checks")));
                mats.add(row);
            }
            Output.table(out, mats, "time=timestamp", "runId", "step=stepKey", "partition", "dataVersion", "metadata=meta",
                    "checks=checkResults");
            return 0;
        }

        static void printIf(PrintWriter out, String label, String value) {
            if (value != null && !value.isBlank()) {
                out.printf("%-13s %s%n", label, value);
            }
        }

        static List<String> texts(JsonNode array) {
            List<String> out = new java.util.ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }

        /** {@code STALE since ... (max lag PT1H)}, or "-" without a freshness policy. */
        static String freshness(JsonNode f) {
            if (f.isMissingNode() || f.isNull()) {
                return "- (no freshness policy)";
            }
            StringBuilder sb = new StringBuilder(f.path("status").asText("UNKNOWN"));
            if (f.hasNonNull("since")) {
                sb.append(" since ").append(f.path("since").asText());
            }
            sb.append(" (max lag ").append(Duration.ofMillis(f.path("maxLagMs").asLong()));
            if (f.hasNonNull("lastMaterializedAt")) {
                sb.append(", last materialized ").append(f.path("lastMaterializedAt").asText());
            }
            return sb.append(')').toString();
        }

        /** {@code rows=42 ratio=0.25}: typed metadata by value. */
        static String metadata(JsonNode metadata) {
            StringBuilder sb = new StringBuilder();
            metadata.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue().path("value");
                sb.append(sb.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(v.isValueNode() ? v.asText() : v.toString());
            });
            return sb.isEmpty() ? "-" : sb.toString();
        }

        /** {@code not_empty=PASSED small=FAILED}. */
        static String checkSummary(JsonNode checks) {
            StringBuilder sb = new StringBuilder();
            checks.forEach(c -> sb.append(sb.isEmpty() ? "" : " ").append(c.path("name").asText()).append('=')
                    .append(c.path("outcome").asText("?")));
            return sb.isEmpty() ? "-" : sb.toString();
        }
    }

    @Command(name = "lineage", description = "Show an asset's lineage as a tree: what it is made from (--up), what is made from it (--down), or both.",
            mixinStandardHelpOptions = true)
    static final class Lineage extends Base {
        @Parameters(index = "0", description = "Asset key.")
        String key;

        @Option(names = "--up", description = "Only upstream assets (inputs).")
        boolean up;

        @Option(names = "--down", description = "Only downstream assets (dependents).")
        boolean down;

        @Option(names = "--depth", description = "Levels to walk in each direction, 1-10 (default 1).")
        int depth = 1;

        @Override
        public Integer call() {
            String direction = up == down ? "both" : up ? "up" : "down";
            JsonNode r = options.client().get("/api/v1/assets/" + key + "/lineage",
                    Map.of("direction", direction, "depth", String.valueOf(depth)));
            if (options.json()) {
                Output.json(out(), r);
                return 0;
            }
            printTree(out(), r);
            return 0;
        }

        /** Prints the lineage response as a tree rooted at the asset, upstream and downstream branches below it. */
        static void printTree(PrintWriter out, JsonNode r) {
            Map<String, JsonNode> nodes = new LinkedHashMap<>();
            r.path("nodes").forEach(n -> nodes.put(n.path("assetKey").asText(), n));
            String root = r.path("assetKey").asText();
            out.println(label(nodes.get(root), null));
            String direction = r.path("direction").asText("both");
            List<Branch> branches = new java.util.ArrayList<>();
            if (!direction.equals("down")) {
                branches.add(new Branch("upstream (made from)", true));
            }
            if (!direction.equals("up")) {
                branches.add(new Branch("downstream (made into)", false));
            }
            for (int i = 0; i < branches.size(); i++) {
                Branch b = branches.get(i);
                boolean lastBranch = i == branches.size() - 1;
                List<JsonNode> children = neighbours(r, nodes, root, b.up());
                out.println((lastBranch ? "└── " : "├── ") + b.title() + (children.isEmpty() ? ": none" : ""));
                print(out, r, nodes, root, b.up(), lastBranch ? "    " : "│   ", new java.util.HashSet<>());
            }
            if (r.path("truncated").asBoolean()) {
                out.printf("(more beyond depth %d: use --depth)%n", r.path("depth").asInt());
            }
            if (r.has("excludedJobs")) {
                r.path("excludedJobs").fields().forEachRemaining(e ->
                        out.printf("(job %s left out of the graph: %s)%n", e.getKey(), e.getValue().asText()));
            }
        }

        private record Branch(String title, boolean up) {}

        private static void print(PrintWriter out, JsonNode r, Map<String, JsonNode> nodes, String from, boolean up, String indent,
                                  java.util.Set<String> printed) {
            List<JsonNode> edges = neighbours(r, nodes, from, up);
            for (int i = 0; i < edges.size(); i++) {
                JsonNode e = edges.get(i);
                String next = e.path(up ? "upstream" : "downstream").asText();
                boolean last = i == edges.size() - 1;
                boolean again = !printed.add(next);
                out.println(indent + (last ? "└── " : "├── ") + label(nodes.get(next), e) + (again ? "  (see above)" : ""));
                if (!again) {
                    print(out, r, nodes, next, up, indent + (last ? "    " : "│   "), printed);
                }
            }
        }

        /** Edges from {@code asset} to its neighbours on one side (upstream: negative levels, downstream: positive). */
        private static List<JsonNode> neighbours(JsonNode r, Map<String, JsonNode> nodes, String asset, boolean up) {
            List<JsonNode> out = new java.util.ArrayList<>();
            for (JsonNode e : r.path("edges")) {
                String self = e.path(up ? "downstream" : "upstream").asText();
                String other = e.path(up ? "upstream" : "downstream").asText();
                JsonNode n = nodes.get(other);
                if (self.equals(asset) && n != null && (up ? n.path("level").asInt() < 0 : n.path("level").asInt() > 0)) {
                    out.add(e);
                }
            }
            return out;
        }

        /** {@code lake/raw_orders  warehouse.extract  [inferred]  last 2026-...  run abc}. */
        static String label(JsonNode n, JsonNode edge) {
            if (n == null) {
                return "?";
            }
            StringBuilder sb = new StringBuilder(n.path("assetKey").asText());
            if (n.hasNonNull("job")) {
                sb.append("  ").append(n.path("job").asText()).append('.').append(n.path("step").asText());
            } else if (n.path("source").asBoolean()) {
                sb.append("  (source: produced by no job)");
            }
            if (edge != null) {
                sb.append("  [").append(edge.path("kind").asText().toLowerCase(java.util.Locale.ROOT));
                if (edge.hasNonNull("job") && !edge.path("job").asText().equals(n.path("job").asText())) {
                    sb.append(" in ").append(edge.path("job").asText());
                }
                sb.append(']');
            }
            if (n.hasNonNull("lastMaterializedAt")) {
                sb.append("  last ").append(n.path("lastMaterializedAt").asText());
                if (n.hasNonNull("lastRunId")) {
                    sb.append(" (run ").append(n.path("lastRunId").asText()).append(')');
                }
            } else {
                sb.append("  never materialized");
            }
            if (n.path("failingChecks").asInt() > 0) {
                sb.append("  ").append(n.path("failingChecks").asInt()).append(" failing check(s)");
            }
            return sb.toString();
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
