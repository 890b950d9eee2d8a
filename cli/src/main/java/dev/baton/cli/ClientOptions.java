package dev.baton.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every client command shares: where the gateway is, who we are, how to print. */
public final class ClientOptions {
    public enum Format { table, json }

    @Option(names = "--url", description = "Gateway URL (env BATON_URL; default http://127.0.0.1:8080).")
    String url;

    @Option(names = "--token", description = "API token (env BATON_TOKEN).")
    String token;

    @Option(names = "--token-file", description = "File holding the API token (default .baton/admin.token, written by `baton dev`).")
    Path tokenFile;

    @Option(names = {"-o", "--output"}, description = "Output format: ${COMPLETION-CANDIDATES} (default table).")
    Format output = Format.table;

    ApiClient client() {
        String u = url != null ? url : env("BATON_URL", "http://127.0.0.1:8080");
        return new ApiClient(u, resolveToken());
    }

    boolean json() {
        return output == Format.json;
    }

    String resolveToken() {
        if (token != null) {
            return token;
        }
        String env = System.getenv("BATON_TOKEN");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path file = tokenFile != null ? tokenFile : Path.of(".baton", "admin.token");
        if (!Files.exists(file) && tokenFile == null) {
            file = Path.of(System.getProperty("user.home"), ".baton", "admin.token");
        }
        if (Files.exists(file)) {
            try {
                return Files.readString(file).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read token file " + file, e);
            }
        }
        return null;
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
