package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code baton audit}: who did what through the API (GET /api/v1/audit; needs an admin token). */
@Command(name = "audit", description = "Show the audit trail of mutating API calls, oldest first (admin token).",
        mixinStandardHelpOptions = true)
final class AuditCommand extends ClientCommands.Base {
    @Option(names = "--actor", description = "Only calls by this token name.")
    String actor;

    @Option(names = "--action", description = "Only this action (runs.trigger, jobs.register, ...; runs.* for a group).")
    String action;

    @Option(names = "--since", description = "From this long ago (1h, 30m, 7d) or this time (2026-12-05T10:00Z).")
    String since;

    @Option(names = "--until", description = "Up to this long ago or this time (exclusive).")
    String until;

    @Option(names = "--limit", description = "At most this many records (default 100).")
    int limit = 100;

    @Override
    public Integer call() {
        Instant now = Instant.now();
        Map<String, String> q = new LinkedHashMap<>();
        q.put("actor", actor);
        q.put("action", action);
        q.put("from", since == null ? null : TimeArgs.past(since, now).toString());
        q.put("to", until == null ? null : TimeArgs.past(until, now).toString());
        ArrayNode items = options.client().items("/api/v1/audit", q, limit);
        if (options.json()) {
            ObjectNode o = ApiClient.JSON.createObjectNode();
            o.set("items", items);
            Output.json(out(), o);
        } else {
            Output.table(out(), items, "time=timestamp", "actor", "role", "action", "resource", "status", "runId");
        }
        return 0;
    }
}
