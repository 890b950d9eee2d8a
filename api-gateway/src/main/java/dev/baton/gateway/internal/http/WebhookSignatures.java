package dev.baton.gateway.internal.http;

import dev.baton.events.JobDefinition;
import dev.baton.events.WebhookSpec;
import dev.baton.gateway.Secrets;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signature check of webhook triggers for jobs with a {@code webhook} section: the request carries
 * {@code sha256=<hex>} (GitHub's {@code X-Hub-Signature-256} format), the HMAC-SHA256 of the raw body keyed with
 * the job's secret, in the job's header.
 */
final class WebhookSignatures {
    static final String SCHEME = "sha256=";
    private static final String HMAC = "HmacSHA256";

    private WebhookSignatures() {}

    /**
     * Passes when the job does not ask for signatures or the request's signature matches its body.
     *
     * @throws ApiError 401 {@code invalid_signature} for a missing or wrong signature; 500 {@code secret_missing}
     *                  (naming the secret and where it was looked up, never a value) when the gateway lacks the secret
     */
    static void verify(Secrets secrets, JobDefinition job, RoutingContext ctx) {
        WebhookSpec spec = job.getWebhook();
        if (spec == null) {
            return;
        }
        String secret = secrets.value(spec.getSecret()).orElseThrow(() -> new ApiError(500, ApiError.SECRET_MISSING,
                "job '" + job.getName() + "' requires signed webhooks but the gateway has no value for secret '"
                        + spec.getSecret() + "' (" + secrets.describe(spec.getSecret()) + ")"));
        String header = ctx.request().getHeader(spec.getHeader());
        if (header == null || header.isBlank()) {
            throw new ApiError(401, ApiError.INVALID_SIGNATURE, "job '" + job.getName() + "' requires a signature: header "
                    + spec.getHeader() + ": " + SCHEME + "<hex HMAC-SHA256 of the body>");
        }
        byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (!matches(secret, body, header.strip())) {
            throw new ApiError(401, ApiError.INVALID_SIGNATURE, "the signature in " + spec.getHeader()
                    + " does not match the body (expected " + SCHEME + "<hex HMAC-SHA256 of the raw body>)");
        }
    }

    /** Constant-time comparison of the expected MAC with {@code sha256=<hex>}; malformed values do not match. */
    static boolean matches(String secret, byte[] body, String signature) {
        if (!signature.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature.substring(SCHEME.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sign(secret, body), given);
    }

    static byte[] sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
