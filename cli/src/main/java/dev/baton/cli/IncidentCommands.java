package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code baton incidents}: the alerting component's incidents (docs/alerts.md): list, show, acknowledge. */
final class IncidentCommands {
    private IncidentCommands() {}

    @Command(name = "incidents", description = "List incidents (open and acknowledged by default), newest first. "
            + "`incidents show ID` for one, `incidents ack ID` to acknowledge it.", mixinStandardHelpOptions = true,
            subcommands = {ListCmd.class, Show.class, Ack.class})
    static final class Incidents extends ClientCommands.Base {
        @Mixin
        ListOptions list;

        @Override
        public Integer call() {
            return list.print(options, out());
        }
    }

    @Command(name = "list", description = "List incidents (as `baton incidents`).", mixinStandardHelpOptions = true)
    static final class ListCmd extends ClientCommands.Base {
        @Mixin
        ListOptions list;

        @Override
        public Integer call() {
            return list.print(options, out());
        }
    }

    /** The filters of {@code incidents} and {@code incidents list}. */
    static final class ListOptions {
        @Option(names = "--status", description = "OPEN, ACKNOWLEDGED, RESOLVED, or several comma-separated (default OPEN,ACKNOWLEDGED).")
        String status;

        @Option(names = "--all", description = "Resolved incidents too.")
        boolean all;

        @Option(names = "--job", description = "Only the incidents of this job.")
        String job;

        @Option(names = "--limit", description = "At most this many (default 100).")
        int limit = 100;

        int print(ClientOptions options, PrintWriter out) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("status", status != null ? status : all ? null : "OPEN,ACKNOWLEDGED");
            q.put("job", job);
            ArrayNode items = options.client().items("/api/v1/incidents", q, limit);
            return IncidentCommands.print(options, out, items);
        }
    }

    static int print(ClientOptions options, PrintWriter out, ArrayNode items) {
        if (options.json()) {
            ObjectNode o = ApiClient.JSON.createObjectNode();
            o.set("items", items);
            Output.json(out, o);
        } else {
            ArrayNode rows = ApiClient.JSON.createArrayNode();
            for (JsonNode i : items) {
                ObjectNode row = i.deepCopy();
                row.put("about", i.hasNonNull("job") ? i.get("job").asText() + (i.hasNonNull("subject") ? " " + i.get("subject").asText() : "")
                        : i.path("subject").asText("-"));
                rows.add(row);
            }
            Output.table(out, rows, "id=incidentId", "status", "severity", "condition", "about", "count=occurrences",
                    "opened=openedAt", "last=lastOccurredAt", "ack by=acknowledgedBy");
        }
        return 0;
    }

    @Command(name = "show", description = "Show one incident.", mixinStandardHelpOptions = true)
    static final class Show extends ClientCommands.Base {
        @Parameters(index = "0", description = "Incident id (inc-...).")
        String id;

        @Override
        public Integer call() {
            JsonNode i = options.client().get("/api/v1/incidents/" + id, Map.of());
            if (options.json()) {
                Output.json(out(), i);
                return 0;
            }
            PrintWriter o = out();
            for (String f : new String[] {"incidentId", "status", "severity", "condition", "ruleId", "job", "subject", "occurrences",
                    "openedAt", "lastOccurredAt", "lastRunId", "escalated", "acknowledgedBy", "acknowledgedAt", "resolvedAt",
                    "resolution", "message", "destinations"}) {
                if (i.hasNonNull(f)) {
                    o.printf("%-15s %s%n", f + ":", i.get(f).isArray() ? String.join(", ",
                            ApiClient.JSON.convertValue(i.get(f), String[].class)) : i.get(f).asText());
                }
            }
            o.flush();
            return 0;
        }
    }

    @Command(name = "ack", description = "Acknowledge an open incident (operator token): no more escalation notifications; "
            + "its resolution is still notified.", mixinStandardHelpOptions = true)
    static final class Ack extends ClientCommands.Base {
        @Parameters(index = "0", description = "Incident id (inc-...).")
        String id;

        @Option(names = "--note", description = "A note recorded with the acknowledgement.")
        String note;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (note != null) {
                body.put("note", note);
            }
            JsonNode r = options.client().postJson("/api/v1/incidents/" + id + "/ack", body);
            if (options.json()) {
                Output.json(out(), r);
            } else {
                out().printf("Acknowledging %s as %s%n", id, r.path("acknowledgedBy").asText());
                out().flush();
            }
            return 0;
        }
    }
}
