package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.gateway.JobScope;
import dev.baton.gateway.Role;
import dev.baton.gateway.TokenFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code baton tokens create|list|revoke}: manages the token file the gateway reads ({@code gateway.tokens.file}),
 * directly on disk, so it works before any token exists (the first admin token of a fresh installation). The
 * gateway re-reads the file when it changes (every {@code gateway.tokens.reload.ms}).
 */
@Command(name = "tokens", description = "Create, list and revoke API tokens (edits the gateway's token file).",
        mixinStandardHelpOptions = true,
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
public final class TokensCommand {
    /** Where the token file is: {@code --tokens-file}, or {@code tokens} inside {@code --data-dir}. */
    static final class Location {
        @Option(names = "--data-dir", description = "Data directory of `baton dev` (default .baton); its token file is <data-dir>/tokens.")
        Path dataDir;

        @Option(names = "--tokens-file", description = "The gateway's token file (its gateway.tokens.file), e.g. in the container layout.")
        Path tokensFile;

        Path file() {
            if (tokensFile != null && dataDir != null) {
                throw new IllegalArgumentException("give --tokens-file or --data-dir, not both");
            }
            return tokensFile != null ? tokensFile : (dataDir != null ? dataDir : Path.of(".baton")).resolve("tokens");
        }
    }

    abstract static class Sub implements Callable<Integer> {
        @Mixin Location location;
        @Spec CommandSpec spec;

        @Option(names = {"-o", "--output"}, description = "Output format: ${COMPLETION-CANDIDATES} (default table).")
        ClientOptions.Format output = ClientOptions.Format.table;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "create", description = "Create a token; its secret is printed once and stored only as a SHA-256 hash.",
            mixinStandardHelpOptions = true)
    static final class Create extends Sub {
        @Option(names = "--role", required = true, description = "viewer, operator or admin.")
        String role;

        @Option(names = "--name", description = "Name shown in audit records (default <role>-<random>).")
        String name;

        @Option(names = "--expires", description = "Expiry: a span (30d, 12h, 2w) or a time (2027-01-01T00:00Z). Default: never.")
        String expires;

        @Option(names = "--jobs", description = "Job scope: comma-separated globs ('orders_*,nightly_*'). Default: every job.")
        String jobs;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            Role r = Role.parse(role);
            byte[] suffix = new byte[3];
            new SecureRandom().nextBytes(suffix);
            String n = name != null ? name : r.id() + "-" + HexFormat.of().formatHex(suffix);
            Instant exp = expires == null ? null : TimeArgs.future(expires, now);
            TokenFile.Created c = TokenFile.create(location.file(), n, r, exp, JobScope.parse(jobs), now);
            if (output == ClientOptions.Format.json) {
                ObjectNode o = entry(c.entry(), now);
                o.put("token", c.token());
                o.put("tokensFile", location.file().toAbsolutePath().toString());
                Output.json(out(), o);
            } else {
                TokenFile.Entry e = c.entry();
                out().printf("Created token '%s' (id %s, role %s%s%s) in %s%n", e.name(), e.id(), e.role().id(),
                        e.expires() == null ? "" : ", expires " + e.expires(),
                        e.scope().unrestricted() ? "" : ", jobs " + e.scope().csv(), location.file().toAbsolutePath());
                out().println();
                out().println("  " + c.token());
                out().println();
                out().println("This is the only time the token is shown; only its hash is stored. Use it as BATON_TOKEN or "
                        + "'Authorization: Bearer <token>'. The gateway picks it up within gateway.tokens.reload.ms (5 s).");
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List tokens (never their secrets).", mixinStandardHelpOptions = true)
    static final class ListTokens extends Sub {
        @Override
        public Integer call() {
            Instant now = Instant.now();
            List<TokenFile.Entry> all = TokenFile.read(location.file());
            ArrayNode items = ApiClient.JSON.createArrayNode();
            all.forEach(e -> items.add(entry(e, now)));
            if (output == ClientOptions.Format.json) {
                ObjectNode o = ApiClient.JSON.createObjectNode();
                o.set("items", items);
                Output.json(out(), o);
            } else {
                Output.table(out(), items, "name", "id", "role", "jobs", "status", "created", "expires");
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token by name or id; the gateway answers 401 (revoked) for it from then on.",
            mixinStandardHelpOptions = true)
    static final class Revoke extends Sub {
        @Parameters(index = "0", paramLabel = "NAME|ID", description = "Token name or id (see `baton tokens list`).")
        String nameOrId;

        @Override
        public Integer call() {
            Instant now = Instant.now();
            List<TokenFile.Entry> revoked = TokenFile.revoke(location.file(), nameOrId, now);
            if (output == ClientOptions.Format.json) {
                ArrayNode items = ApiClient.JSON.createArrayNode();
                revoked.forEach(e -> items.add(entry(e, now)));
                ObjectNode o = ApiClient.JSON.createObjectNode();
                o.set("revoked", items);
                Output.json(out(), o);
            } else {
                revoked.forEach(e -> out().printf("Revoked token '%s' (id %s)%n", e.name(), e.id()));
            }
            return 0;
        }
    }

    static ObjectNode entry(TokenFile.Entry e, Instant now) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.put("name", e.name());
        o.put("id", e.id());
        o.put("role", e.role().id());
        o.put("jobs", e.scope().unrestricted() ? "*" : e.scope().csv());
        o.put("status", e.revoked() != null ? "revoked" : e.expiredAt(now) ? "expired" : "active");
        o.put("created", e.created() == null ? null : e.created().toString());
        o.put("expires", e.expires() == null ? null : e.expires().toString());
        o.put("revoked", e.revoked() == null ? null : e.revoked().toString());
        return o;
    }
}
