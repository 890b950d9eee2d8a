package dev.baton.agent.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.events.HttpAction;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code http} steps: one request; the status decides the result (the expected statuses, or any 2xx);
 * outputs are JSON pointers into the response body. Header values and bodies are never logged.
 * 5xx answers and connection failures are retryable, other unexpected statuses are not.
 */
final class HttpRunner implements StepRunner {
    private final Runnable authenticationFailed;
    /** Used when the step has no timeout of its own; the step timeout (enforced by the agent) still applies. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final Attempt attempt;
    private final HttpAction action;
    private final HttpClient client;
    private final Duration timeout;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private volatile CompletableFuture<HttpResponse<String>> exchange;

    HttpRunner(Attempt attempt, HttpAction action, HttpClient client, Long timeoutMs) {
        this(attempt, action, client, timeoutMs, () -> {});
    }

    /** {@code authenticationFailed} runs when the server refuses the step's credentials (401, 403, 407 unexpected). */
    HttpRunner(Attempt attempt, HttpAction action, HttpClient client, Long timeoutMs, Runnable authenticationFailed) {
        this.authenticationFailed = authenticationFailed;
        this.attempt = attempt;
        this.action = action;
        this.client = client;
        this.timeout = timeoutMs == null || timeoutMs <= 0 ? DEFAULT_TIMEOUT : Duration.ofMillis(timeoutMs);
    }

    @Override public String kind() { return "http"; }

    @Override public CompletableFuture<Outcome> completion() { return done; }

    @Override
    public OptionalLong start() {
        String method = action.getMethod() == null || action.getMethod().isBlank() ? "GET" : action.getMethod().toUpperCase(Locale.ROOT);
        HttpRequest.Builder rb;
        try {
            rb = HttpRequest.newBuilder(URI.create(action.getUrl())).timeout(timeout);
            HttpRequest.BodyPublisher body = action.getBody() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(action.getBody());
            rb.method(method, body);
            action.getHeaders().forEach(rb::header);
            rb.setHeader("Baton-Attempt-Id", attempt.attemptId());
        } catch (IllegalArgumentException e) {
            // Bad URL or header: retrying the same request cannot help.
            done.complete(Outcome.userError("invalid http request: " + e.getMessage(), null, false));
            return OptionalLong.empty();
        }
        attempt.log().system(method + " " + redactedUrl(action.getUrl()));
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofString());
        exchange = f;
        f.whenComplete((resp, err) -> done.complete(err != null ? failure(err)
                : result(resp, Duration.ofNanos(System.nanoTime() - t0))));
        return OptionalLong.empty();
    }

    private Outcome result(HttpResponse<String> resp, Duration took) {
        int status = resp.statusCode();
        attempt.log().system("HTTP " + status + " in " + took.toMillis() + " ms");
        boolean expected = action.getExpectStatus().isEmpty()
                ? status >= 200 && status < 300
                : action.getExpectStatus().contains(status);
        if (!expected) {
            if (status == 401 || status == 403 || status == 407) {
                authenticationFailed.run(); // a credential failure (docs/operations.md#metrics)
            }
            String want = action.getExpectStatus().isEmpty() ? "2xx" : action.getExpectStatus().toString();
            return Outcome.userError("unexpected HTTP status " + status + " (expected " + want + ")", null, status >= 500);
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        if (!action.getOutputs().isEmpty()) {
            JsonNode body;
            try {
                body = Materializations.JSON.readTree(resp.body() == null ? "" : resp.body());
            } catch (IOException e) {
                return Outcome.userError("response body is not JSON, cannot extract outputs: " + e.getMessage(), null, false);
            }
            if (body == null || body.isMissingNode()) {
                return Outcome.userError("response body is empty, cannot extract outputs", null, false);
            }
            for (var e : action.getOutputs().entrySet()) {
                JsonNode v;
                try {
                    v = body.at(JsonPointer.compile(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    return Outcome.userError("output '" + e.getKey() + "': invalid JSON pointer '" + e.getValue() + "'", null, false);
                }
                if (v.isMissingNode()) {
                    return Outcome.userError("output '" + e.getKey() + "': nothing at " + e.getValue() + " in the response", null, false);
                }
                outputs.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
            }
        }
        var tooLarge = attempt.checkOutputSize(outputs, Map.of());
        return tooLarge.isPresent() ? tooLarge.get() : new Outcome.Succeeded(outputs, Map.of(), java.util.List.of());
    }

    private Outcome failure(Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof CancellationException) {
            return Outcome.userError("request canceled", null, false); // replaced by the canceling party's outcome
        }
        if (e instanceof HttpConnectTimeoutException) {
            attempt.log().system("Connection timed out");
            return Outcome.userError("connection timed out: " + redactedUrl(action.getUrl()), null, true);
        }
        if (e instanceof HttpTimeoutException) {
            attempt.log().system("Request timed out after " + timeout.toMillis() + " ms");
            return new Outcome.Failed(dev.baton.events.ErrorClass.TIMEOUT, "request timed out after " + timeout.toMillis() + " ms", null, true);
        }
        String what = e instanceof ConnectException ? "connection failed" : "request failed";
        attempt.log().system(what + ": " + e);
        return Outcome.userError(what + ": " + e, null, true);
    }

    @Override
    public void terminate(Duration grace) {
        CompletableFuture<HttpResponse<String>> f = exchange;
        if (f != null) {
            f.cancel(true);
        }
    }

    /** Drops user info and the query string, which often carry credentials. */
    static String redactedUrl(String url) {
        try {
            URI u = URI.create(url);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString()
                    + (u.getRawQuery() == null ? "" : "?…");
        } catch (Exception e) {
            return "<invalid url>";
        }
    }
}
