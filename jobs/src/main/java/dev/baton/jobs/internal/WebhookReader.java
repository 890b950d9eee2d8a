package dev.baton.jobs.internal;

import dev.baton.events.WebhookSpec;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;

/**
 * The job's {@code webhook} section: the name of the secret that signs webhook triggers and the header carrying the
 * signature. {@code webhook: NAME} is short for {@code webhook: {secret: NAME}}.
 */
final class WebhookReader extends ValueReader {
    WebhookReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    /** The spec, or null when the job has no webhook section (or it is unusable; a problem says why). */
    WebhookSpec read(Node node, String path) {
        if (node == null || isNull(node)) {
            return null;
        }
        String secret;
        String secretPath;
        String header = JobDefaults.WEBHOOK_HEADER;
        if (node instanceof ScalarNode s) {
            secret = string(s, path);
            secretPath = path;
        } else {
            MapNode m = object(node, path, "an object {secret, header} or a secret name");
            if (m == null) {
                return null;
            }
            keys(m, path, Keys.WEBHOOK);
            secretPath = Paths.key(path, "secret");
            secret = requiredString(m, "secret", path);
            String h = string(m.get("header"), Paths.key(path, "header"));
            if (h != null) {
                if (Names.HEADER.matcher(h).matches()) {
                    header = h;
                } else {
                    problems.add(Paths.key(path, "header"), "'" + h + "' is not a valid HTTP header name");
                }
            }
        }
        if (secret == null) {
            return null;
        }
        if (!Names.SECRET.matcher(secret).matches()) {
            // The value is not echoed: it may be a pasted secret.
            problems.add(secretPath, "not a secret name (upper-case letters, digits"
                    + " and '_', starting with a letter, at most 100 characters); name the secret, never write its"
                    + " value here: the gateway reads it from BATON_SECRET_<NAME>");
            return null;
        }
        return WebhookSpec.newBuilder().setSecret(secret).setHeader(header).build();
    }
}
