package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton schedules}: list schedules, show one, pause and resume them through the gateway. */
final class ScheduleCommands {
    private ScheduleCommands() {}

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm:ss zzz", Locale.ENGLISH);

    @Command(name = "schedules", description = "List schedules: timing, time zone, pause state, next fire time and last run. "
            + "`schedules get|pause|resume JOB SCHEDULE` for one.", mixinStandardHelpOptions = true,
            subcommands = {Get.class, Pause.class, Resume.class})
    static final class Schedules extends ClientCommands.Base {
        @Option(names = "--job", description = "Only the schedules of this job.")
        String job;

        @Override
        public Integer call() {
            ApiClient api = options.client();
            JsonNode r;
            if (job != null) {
                r = api.get("/api/v1/jobs/" + job + "/schedules", Map.of("next", "1"));
            } else {
                // Every page: a cluster has few enough schedules to print them all.
                ArrayNode items = api.items("/api/v1/schedules", Map.of("next", "1"), Integer.MAX_VALUE);
                ObjectNode all = ApiClient.JSON.createObjectNode();
                all.set("items", items);
                r = all;
            }
            if (options.json()) {
                Output.json(out(), r);
                return 0;
            }
            ArrayNode rows = ApiClient.JSON.createArrayNode();
            for (JsonNode s : Output.items(r)) {
                ObjectNode row = s.deepCopy();
                row.put("timing", timing(s));
                row.put("pause", pauseSummary(s));
                row.put("nextTime", s.path("nextFireTimes").path(0).asText("-"));
                row.put("lastTick", lastTick(s));
                row.put("lastRun", lastRun(s));
                rows.add(row);
            }
            Output.table(out(), rows, "job", "schedule", "cron/every=timing", "tz=timezone", "paused=pause", "next=nextTime",
                    "last tick=lastTick", "last run=lastRun");
            return 0;
        }
    }

    @Command(name = "get", description = "Show one schedule: timing, pause state, next fire times and last ticks with their runs.",
            mixinStandardHelpOptions = true)
    static final class Get extends ClientCommands.Base {
        @Parameters(index = "0", description = "Job name.")
        String job;

        @Parameters(index = "1", description = "Schedule name (`default` for a job's single `schedule:`).")
        String schedule;

        @Option(names = "--next", description = "How many next fire times to show, 0-100 (default 5).")
        int next = 5;

        @Override
        public Integer call() {
            JsonNode s = options.client().get(path(job, schedule), Map.of("next", String.valueOf(next)));
            if (options.json()) {
                Output.json(out(), s);
                return 0;
            }
            print(out(), s);
            return 0;
        }

        static void print(PrintWriter out, JsonNode s) {
            out.printf("schedule    %s/%s (job version %s)%n", s.path("job").asText(), s.path("schedule").asText(),
                    s.path("jobVersion").asText());
            out.printf("%-11s %s%n", s.has("cron") ? "cron" : "every", s.has("cron") ? s.path("cron").asText() : s.path("every").asText());
            out.printf("timezone    %s%n", s.path("timezone").asText());
            if (s.has("start") || s.has("end")) {
                out.printf("window      %s%s%n", s.has("start") ? "from " + s.path("start").asText() + " " : "",
                        s.has("end") ? "until " + s.path("end").asText() : "");
            }
            out.printf("catch-up    %s (window %s)%n", s.path("catchUp").asText(), Duration.ofMillis(s.path("catchUpWindowMs").asLong()));
            out.printf("overlap     %s%n", s.path("overlap").asText());
            out.printf("paused      %s%n", pauseDetail(s));
            JsonNode pending = s.path("pendingChange");
            if (!pending.isMissingNode()) {
                out.printf("pending     %s requested%s%s; the scheduler has not applied it yet%n",
                        pending.path("paused").asBoolean() ? "pause" : "resume",
                        pending.hasNonNull("actor") ? " by " + pending.path("actor").asText() : "",
                        pending.hasNonNull("requestedAt") ? " at " + pending.path("requestedAt").asText() : "");
            }
            if (!s.path("seenByScheduler").asBoolean()) {
                out.println("scheduler   has not picked this schedule up yet (is a scheduler running?)");
            }
            if (s.path("activeRuns").size() > 0) {
                out.printf("active runs %s%n", String.join(", ", ClientCommands.Assets.texts(s.path("activeRuns"))));
            }
            if (s.path("queuedTicks").size() > 0) {
                out.printf("queued      %s%n", String.join(", ", ClientCommands.Assets.texts(s.path("queuedTicks"))));
            }
            if (s.hasNonNull("timingError")) {
                out.printf("error       %s%n", s.path("timingError").asText());
            }
            out.println();
            out.println("next fire times" + (s.path("paused").asBoolean() ? " (paused: they pass without a run)" : ""));
            ZoneId zone = zone(s.path("timezone").asText("UTC"));
            if (s.path("nextFireTimes").isEmpty()) {
                out.println("  (none)");
            }
            for (JsonNode t : s.path("nextFireTimes")) {
                out.printf("  %s  %s%n", t.asText(), LOCAL.format(Instant.parse(t.asText()).atZone(zone)));
            }
            out.println();
            out.println("last ticks (newest first)");
            Output.table(out, s.path("lastTicks"), "tick", "outcome", "runId", "run status=runStatus", "detail", "decided=decidedAt");
        }
    }

    @Command(name = "pause", description = "Pause a schedule at runtime (wins over the job file until resumed). "
            + "Ticks that pass while paused are not run later.", mixinStandardHelpOptions = true)
    static final class Pause extends Change {
        @Override
        boolean pause() {
            return true;
        }
    }

    @Command(name = "resume", description = "Resume a schedule: its next tick runs (ticks that passed while paused do not).",
            mixinStandardHelpOptions = true)
    static final class Resume extends Change {
        @Override
        boolean pause() {
            return false;
        }
    }

    abstract static class Change extends ClientCommands.Base {
        @Parameters(index = "0", description = "Job name.")
        String job;

        @Parameters(index = "1", description = "Schedule name (`default` for a job's single `schedule:`).")
        String schedule;

        @Option(names = "--reason", description = "Why (shown with the schedule and kept in the audit trail).")
        String reason;

        @Option(names = {"-w", "--wait"}, description = "Wait until the scheduler has applied the change.")
        boolean await;

        @Option(names = "--timeout", description = "How long --wait waits (ISO-8601, default PT30S).")
        Duration timeout = Duration.ofSeconds(30);

        abstract boolean pause();

        @Override
        public Integer call() throws InterruptedException {
            ApiClient api = options.client();
            Map<String, Object> body = new LinkedHashMap<>();
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode r = api.postJson(path(job, schedule) + (pause() ? "/pause" : "/resume"), body);
            if (await) {
                Instant deadline = Instant.now().plus(timeout);
                JsonNode s = api.get(path(job, schedule), Map.of("next", "0"));
                while (s.has("pendingChange") && Instant.now().isBefore(deadline)) {
                    Thread.sleep(200);
                    s = api.get(path(job, schedule), Map.of("next", "0"));
                }
                if (s.has("pendingChange")) {
                    err().printf("%s/%s: the scheduler has not applied the %s after %s (is a scheduler running?)%n", job, schedule,
                            pause() ? "pause" : "resume", timeout);
                    return 2;
                }
                r = s;
            }
            if (options.json()) {
                Output.json(out(), r);
                return 0;
            }
            String how;
            if (!r.has("pauseOverride")) {
                how = "the job file decides again";
            } else if (r.path("pauseOverride").asBoolean()) {
                how = "runtime pause, wins over the job file";
            } else {
                how = "runtime resume, overrides the job file's paused: true";
            }
            out().printf("%s/%s: %s (%s)%s%n", job, schedule, r.path("paused").asBoolean() ? "paused" : "running", how,
                    await ? "" : "; the scheduler applies it within moments (--wait to wait for it)");
            return 0;
        }
    }

    static String path(String job, String schedule) {
        return "/api/v1/jobs/" + job + "/schedules/" + schedule;
    }

    /** {@code 30 2 * * *} or {@code every PT15M}. */
    static String timing(JsonNode s) {
        return s.has("cron") ? s.path("cron").asText() : "every " + s.path("every").asText();
    }

    /** {@code no}, {@code yes (file)}, {@code yes (runtime)}, with a pending change as {@code no -> yes (pending)}. */
    static String pauseSummary(JsonNode s) {
        String now = s.path("paused").asBoolean() ? "yes (" + s.path("pausedBy").asText("?") + ")" : "no";
        JsonNode pending = s.path("pendingChange");
        if (!pending.isMissingNode()) {
            return now + " -> " + (pending.path("paused").asBoolean() ? "yes" : "no") + " (pending)";
        }
        return now;
    }

    static String pauseDetail(JsonNode s) {
        if (s.path("paused").asBoolean()) {
            if ("runtime".equals(s.path("pausedBy").asText())) {
                return "yes, at runtime" + (s.hasNonNull("pauseActor") ? " by " + s.path("pauseActor").asText() : "")
                        + (s.hasNonNull("pauseReason") ? ": " + s.path("pauseReason").asText() : "")
                        + (s.path("pausedInFile").asBoolean() ? "" : " (the job file does not pause it)");
            }
            return "yes, in the job file (paused: true)";
        }
        if (s.path("pausedInFile").asBoolean()) {
            return "no: resumed at runtime" + (s.hasNonNull("pauseActor") ? " by " + s.path("pauseActor").asText() : "")
                    + ", overriding the job file's paused: true";
        }
        return "no";
    }

    /** {@code <tick> <outcome>} of the newest tick. */
    static String lastTick(JsonNode s) {
        JsonNode ticks = s.path("lastTicks");
        if (ticks.isEmpty()) {
            return s.path("seenByScheduler").asBoolean() ? "-" : "- (no scheduler has picked it up)";
        }
        return ticks.get(0).path("tick").asText() + " " + ticks.get(0).path("outcome").asText();
    }

    /** {@code <runId> <status>} of the newest tick that requested a run. */
    static String lastRun(JsonNode s) {
        for (JsonNode t : s.path("lastTicks")) {
            if ("REQUESTED".equals(t.path("outcome").asText()) && t.hasNonNull("runId")) {
                // No status: the gateway's read model has not seen the run (yet).
                return t.path("runId").asText() + " " + t.path("runStatus").asText("requested");
            }
        }
        return "-";
    }

    private static ZoneId zone(String id) {
        try {
            return ZoneId.of(id);
        } catch (RuntimeException e) {
            return ZoneId.of("UTC");
        }
    }
}
