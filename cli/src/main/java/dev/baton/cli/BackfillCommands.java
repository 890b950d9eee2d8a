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

/**
 * {@code baton backfill JOB ...}, {@code baton backfill get|cancel|pause|resume|retry-failed ID}, and
 * {@code baton backfills [get|cancel ID]}: backfills of partitioned jobs. A job named like one of those subcommands
 * is backfilled through the API.
 */
final class BackfillCommands {
    private BackfillCommands() {}

    @Command(name = "backfill", description = "Run a partitioned job once per partition of a range or list (docs/api.md#backfills);"
            + " `backfill get|cancel|pause|resume|retry-failed ID` manage one.",
            mixinStandardHelpOptions = true, subcommands = {Get.class, Cancel.class, Pause.class, Resume.class, RetryFailed.class})
    static final class Backfill extends ClientCommands.Base {
        @Parameters(index = "0", arity = "1", description = "Job name.")
        String job;

        @Option(names = "--from", description = "First partition key of the range (default: the first one; a dynamic partition set:"
                + " every current key, kept as a list when the backfill is requested).")
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
            Instant deadline = Instant.now().plus(timeout);
            String last = "";
            while (Instant.now().isBefore(deadline)) {
                JsonNode st = api.get("/api/v1/backfills/" + backfillId, Map.of());
                JsonNode b = st.path("backfill");
                String line = progressLine(b);
                if (!line.equals(last)) {
                    out().println(line);
                    out().flush();
                    last = line;
                }
                if (st.path("done").asBoolean()) {
                    JsonNode p = b.path("progress");
                    return "COMPLETED".equals(b.path("status").asText()) && p.path("failed").asLong() == 0 ? 0 : 1;
                }
                Thread.sleep(1000);
            }
            out().printf("%s still not finished after %s%n", backfillId, timeout);
            return 2;
        }
    }

    /** {@code <id> STATUS done 8/30 failed 1 running 4 remaining 18 rate 2.5/s}. */
    static String progressLine(JsonNode b) {
        JsonNode p = b.path("progress");
        return String.format(java.util.Locale.ROOT, "%s %s done %d/%d failed %d running %d remaining %d rate %.1f/s",
                b.path("id").asText(), b.path("status").asText(), p.path("done").asLong(), p.path("total").asLong(),
                p.path("failed").asLong(), p.path("running").asLong(), p.path("remaining").asLong(),
                p.path("ratePerSecond").asDouble());
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
                Output.table(out(), r.path("items"), "id", "job", "status", "outcome", "count", "from", "to", "requestedBy");
            }
            return 0;
        }
    }

    @Command(name = "get", description = "Show a backfill with its progress.", mixinStandardHelpOptions = true)
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
            out().println(progressLine(b));
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

    /** pause, resume and retry-failed: one POST each. */
    abstract static class Change extends ClientCommands.Base {
        @Parameters(index = "0", description = "Backfill id.")
        String id;

        abstract String action();

        @Override
        public Integer call() {
            JsonNode r = options.client().postJson("/api/v1/backfills/" + id + "/" + action(), Map.of());
            if (options.json()) {
                Output.json(out(), r);
            } else if (r.has("retried")) {
                out().printf("%s %s: %s failed partitions relaunched (round %s)%n", id, r.path("status").asText(),
                        r.path("retried").asText(), r.path("round").asText());
            } else {
                out().printf("%s %s%n", id, r.path("status").asText());
            }
            return 0;
        }
    }

    @Command(name = "pause", description = "Pause a backfill: no more partitions start; running ones finish.", mixinStandardHelpOptions = true)
    static final class Pause extends Change {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", description = "Resume a paused backfill from its partition cursor.", mixinStandardHelpOptions = true)
    static final class Resume extends Change {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "retry-failed", description = "Launch a new run of each failed partition of a completed backfill, and only of those.",
            mixinStandardHelpOptions = true)
    static final class RetryFailed extends Change {
        @Override
        String action() {
            return "retry-failed";
        }
    }
}
