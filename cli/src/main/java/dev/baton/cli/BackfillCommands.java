package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton backfill JOB ...} and {@code baton backfills [get|cancel] ...}: backfills of partitioned jobs. */
final class BackfillCommands {
    private BackfillCommands() {}

    @Command(name = "backfill", description = "Run a partitioned job once per partition of a range or list (docs/api.md#backfills).",
            mixinStandardHelpOptions = true)
    static final class Backfill extends ClientCommands.Base {
        @Parameters(index = "0", description = "Job name.")
        String job;

        @Option(names = "--from", description = "First partition key of the range (default: the first one).")
        String from;

        @Option(names = "--to", description = "Last partition key, inclusive (default: the last window that has ended).")
        String to;

        @Option(names = "--partitions", split = ",", description = "Partition keys instead of a range (comma-separated).")
        List<String> partitions;

        @Option(names = "--max-concurrent", description = "At most this many of the backfill's runs at once.")
        Integer maxConcurrent;

        @Option(names = {"-p", "--param"}, description = "Param of every run, key=value (repeatable).")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(names = "--id", description = "Backfill id (idempotency key). Default: a new one per invocation; give the"
                + " same --id again to retry a request safely (no partition runs twice).")
        String id;

        @Option(names = {"-w", "--wait"}, description = "Wait until every run finished; exit code 0 only if all succeeded.")
        boolean await;

        @Option(names = "--timeout", description = "How long --wait waits (ISO-8601, default PT24H).")
        Duration timeout = Duration.ofHours(24);

        @Override
        public Integer call() throws InterruptedException {
            ApiClient api = options.client();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("backfillId", id != null ? id : UUID.randomUUID().toString());
            if (partitions != null) {
                body.put("partitions", partitions);
            }
            if (from != null) {
                body.put("from", from);
            }
            if (to != null) {
                body.put("to", to);
            }
            body.put("params", params);
            if (maxConcurrent != null) {
                body.put("maxConcurrent", maxConcurrent);
            }
            JsonNode r = api.postJson("/api/v1/jobs/" + job + "/backfills", body);
            String backfillId = r.path("backfillId").asText();
            if (!await) {
                if (options.json()) {
                    Output.json(out(), r);
                } else {
                    out().printf("%s  %s partitions of %s%n", backfillId, r.path("partitions").asText(), job);
                }
                return 0;
            }
            return waitFor(api, backfillId, timeout);
        }

        private int waitFor(ApiClient api, String backfillId, Duration timeout) throws InterruptedException {
            Instant start = Instant.now();
            Instant deadline = start.plus(timeout);
            String last = "";
            while (Instant.now().isBefore(deadline)) {
                JsonNode st = api.get("/api/v1/backfills/" + backfillId, Map.of());
                JsonNode runs = st.path("runs");
                long total = st.path("backfill").path("count").asLong();
                long done = runs.path("SUCCEEDED").asLong();
                long failed = runs.path("FAILED").asLong() + runs.path("CANCELED").asLong() + runs.path("REJECTED").asLong();
                long running = runs.path("RUNNING").asLong() + runs.path("CANCELING").asLong();
                long remaining = total - done - failed - running;
                double secs = Math.max(1, Duration.between(start, Instant.now()).toSeconds());
                String line = String.format("%s done=%d failed=%d running=%d remaining=%d rate=%.1f/s", backfillId, done,
                        failed, running, remaining, (done + failed) / secs);
                if (!line.equals(last)) {
                    out().println(line);
                    out().flush();
                    last = line;
                }
                if (st.path("done").asBoolean()) {
                    return failed == 0 && done == total ? 0 : 1;
                }
                Thread.sleep(1000);
            }
            out().printf("%s still not finished after %s%n", backfillId, timeout);
            return 2;
        }
    }

    @Command(name = "backfills", description = "List backfills (newest first); `backfills get ID`, `backfills cancel ID`.",
            mixinStandardHelpOptions = true, subcommands = {Get.class, Cancel.class})
    static final class Backfills extends ClientCommands.Base {
        @Option(names = "--job", description = "Only backfills of this job.")
        String job;

        @Override
        public Integer call() {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("job", job);
            JsonNode r = options.client().get("/api/v1/backfills", q);
            if (options.json()) {
                Output.json(out(), r);
            } else {
                Output.table(out(), r.path("items"), "id", "job", "status", "count", "from", "to", "requestedBy");
            }
            return 0;
        }
    }

    @Command(name = "get", description = "Show a backfill with its runs by status.", mixinStandardHelpOptions = true)
    static final class Get extends ClientCommands.Base {
        @Parameters(index = "0", description = "Backfill id.")
        String id;

        @Override
        public Integer call() {
            JsonNode r = options.client().get("/api/v1/backfills/" + id, Map.of());
            if (options.json()) {
                Output.json(out(), r);
                return 0;
            }
            JsonNode b = r.path("backfill");
            out().printf("backfill  %s%njob       %s (version %s)%nstatus    %s%npartitions %s%n", b.path("id").asText(),
                    b.path("job").asText(), b.path("jobVersion").asText(), b.path("status").asText(), b.path("count").asText());
            r.path("runs").fields().forEachRemaining(e -> out().printf("  %-12s %s%n", e.getKey(), e.getValue().asText()));
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel a backfill: no more runs start, unfinished runs are canceled.",
            mixinStandardHelpOptions = true)
    static final class Cancel extends ClientCommands.Base {
        @Parameters(index = "0", description = "Backfill id.")
        String id;

        @Override
        public Integer call() {
            JsonNode r = options.client().postJson("/api/v1/backfills/" + id + "/cancel", Map.of());
            if (options.json()) {
                Output.json(out(), r);
            } else {
                out().printf("%s canceled; %s runs asked to cancel%n", id, r.path("cancelRequested").asText());
            }
            return 0;
        }
    }
}
