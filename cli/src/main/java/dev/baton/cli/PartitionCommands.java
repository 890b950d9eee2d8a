package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code baton partitions add|remove|list}: the keys of dynamic partition sets (docs/jobs.md#dynamic-partitions,
 * {@code /api/v1/partitions/{name}/keys}).
 */
final class PartitionCommands {
    /** The gateway takes at most this many keys per add request. */
    static final int KEYS_PER_REQUEST = 1000;

    private PartitionCommands() {}

    static String keysPath(String set) {
        return "/api/v1/partitions/" + ApiClient.segment(set) + "/keys";
    }

    @Command(name = "partitions", description = "The keys of dynamic partition sets (jobs with partitions: {dynamic: {name: SET}}): "
            + "`partitions add SET KEY...`, `partitions remove SET KEY...`, `partitions list SET`.",
            mixinStandardHelpOptions = true, subcommands = {Add.class, Remove.class, ListCmd.class})
    static final class Partitions extends ClientCommands.Base {
        @Override
        public Integer call() {
            spec.commandLine().usage(out());
            return 2;
        }
    }

    @Command(name = "add", description = "Add keys to a dynamic partition set (operator token); keys already there stay.",
            mixinStandardHelpOptions = true)
    static final class Add extends ClientCommands.Base {
        @Parameters(index = "0", description = "The dynamic partition set's name.")
        String set;

        @Parameters(index = "1..*", arity = "1..*", description = "Keys to add.")
        List<String> keys;

        @Override
        public Integer call() {
            List<String> all = new ArrayList<>(new LinkedHashSet<>(keys));
            ArrayNode added = ApiClient.JSON.createArrayNode();
            for (int i = 0; i < all.size(); i += KEYS_PER_REQUEST) {
                List<String> chunk = all.subList(i, Math.min(all.size(), i + KEYS_PER_REQUEST));
                JsonNode r = options.client().postJson(keysPath(set), Map.of("keys", chunk));
                r.path("keys").forEach(added::add);
            }
            if (options.json()) {
                ObjectNode o = ApiClient.JSON.createObjectNode();
                o.put("name", set);
                o.set("keys", added);
                Output.json(out(), o);
            } else {
                out().println("Added " + added.size() + " key" + (added.size() == 1 ? "" : "s") + " to " + set);
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove keys from a dynamic partition set (operator token): new runs of them are "
            + "rejected; their past runs stay.", mixinStandardHelpOptions = true)
    static final class Remove extends ClientCommands.Base {
        @Parameters(index = "0", description = "The dynamic partition set's name.")
        String set;

        @Parameters(index = "1..*", arity = "1..*", description = "Keys to remove.")
        List<String> keys;

        @Override
        public Integer call() {
            PrintWriter out = out();
            int missing = 0;
            ArrayNode removed = ApiClient.JSON.createArrayNode();
            for (String k : new LinkedHashSet<>(keys)) {
                try {
                    options.client().delete(keysPath(set) + "/" + ApiClient.segment(k));
                    removed.add(k);
                } catch (ApiClient.ApiException e) {
                    if (e.status != 404) {
                        throw e;
                    }
                    err().println("error: " + e.getMessage());
                    missing++;
                }
            }
            if (options.json()) {
                ObjectNode o = ApiClient.JSON.createObjectNode();
                o.put("name", set);
                o.set("removed", removed);
                Output.json(out, o);
            } else {
                out.println("Removed " + removed.size() + " key" + (removed.size() == 1 ? "" : "s") + " from " + set);
            }
            out.flush();
            err().flush();
            return missing == 0 ? 0 : 1;
        }
    }

    @Command(name = "list", description = "List the keys of a dynamic partition set, in key order.", mixinStandardHelpOptions = true)
    static final class ListCmd extends ClientCommands.Base {
        @Parameters(index = "0", description = "The dynamic partition set's name.")
        String set;

        @Option(names = "--limit", description = "At most this many keys (default 10000).")
        int limit = 10_000;

        @Override
        public Integer call() {
            ArrayNode items = options.client().items(keysPath(set), Map.of(), limit);
            PrintWriter out = out();
            if (options.json()) {
                ObjectNode o = ApiClient.JSON.createObjectNode();
                o.put("name", set);
                o.set("items", items);
                Output.json(out, o);
            } else {
                items.forEach(k -> out.println(k.asText()));
            }
            out.flush();
            return 0;
        }
    }
}
