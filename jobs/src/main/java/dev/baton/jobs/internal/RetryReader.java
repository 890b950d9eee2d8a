package dev.baton.jobs.internal;

import dev.baton.events.RetryPolicy;
import dev.baton.jobs.Durations;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarKind;
import dev.baton.jobs.internal.Node.ScalarNode;

/** Retry policies and timeouts (a step's {@code timeout} and {@code heartbeatTimeout}, the job's {@code timeout}). */
final class RetryReader extends ValueReader {

    /** The most infrastructure retries a job or step may ask for (each one is a re-dispatch after a lost agent). */
    static final int MAX_INFRA_RETRIES = 100;

    RetryReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    /**
     * {@code infraRetries}: the infrastructure-retry budget (0..{@value #MAX_INFRA_RETRIES}) overriding the
     * coordinator's default, or null when absent.
     */
    Integer infraRetries(Node node, String path) {
        Integer n = integer(node, path);
        if (n != null && (n < 0 || n > MAX_INFRA_RETRIES)) {
            problems.add(path, "must be between 0 and " + MAX_INFRA_RETRIES + " (got " + n + ")");
            return null;
        }
        return n;
    }

    /** A timeout in milliseconds (positive), or null when absent. */
    Long timeout(Node node, String path) {
        return duration(node, path, false);
    }

    RetryPolicy retry(Node node, String path) {
        RetryPolicy.Builder retry = RetryPolicy.newBuilder()
                .setMaxAttempts(JobDefaults.MAX_ATTEMPTS)
                .setInitialBackoffMs(JobDefaults.BACKOFF_MS)
                .setMultiplier(JobDefaults.MULTIPLIER)
                .setMaxBackoffMs(JobDefaults.MAX_BACKOFF_MS)
                .setJitter(JobDefaults.JITTER);
        if (node == null || isNull(node)) {
            return retry.build();
        }
        if (node instanceof ScalarNode s && s.scalarKind() == ScalarKind.INT) {
            Integer attempts = integer(node, path);
            if (attempts != null) {
                if (attempts < 1) {
                    problems.add(path, "maxAttempts must be at least 1 (got " + attempts + ")");
                } else {
                    retry.setMaxAttempts(attempts);
                }
            }
            return retry.build();
        }
        MapNode m = object(node, path, "an object {maxAttempts, backoff, multiplier, maxBackoff, jitter} or a number of attempts");
        if (m == null) {
            return retry.build();
        }
        keys(m, path, Keys.RETRY);
        Integer attempts = integer(m.get("maxAttempts"), Paths.key(path, "maxAttempts"));
        if (attempts != null) {
            if (attempts < 1) {
                problems.add(Paths.key(path, "maxAttempts"), "must be at least 1 (got " + attempts + ")");
            } else {
                retry.setMaxAttempts(attempts);
            }
        }
        Long backoff = duration(m.get("backoff"), Paths.key(path, "backoff"), true);
        if (backoff != null) {
            retry.setInitialBackoffMs(backoff);
        }
        Double multiplier = number(m.get("multiplier"), Paths.key(path, "multiplier"));
        if (multiplier != null) {
            if (multiplier < 1.0 || multiplier.isInfinite() || multiplier.isNaN()) {
                problems.add(Paths.key(path, "multiplier"), "must be at least 1.0 (got " + multiplier + ")");
            } else {
                retry.setMultiplier(multiplier);
            }
        }
        Long maxBackoff = duration(m.get("maxBackoff"), Paths.key(path, "maxBackoff"), false);
        if (maxBackoff != null) {
            retry.setMaxBackoffMs(maxBackoff);
            if (backoff != null && maxBackoff < backoff) {
                problems.add(Paths.key(path, "maxBackoff"), "must not be less than backoff ("
                        + Durations.format(maxBackoff) + " < " + Durations.format(backoff) + ")");
            }
        } else {
            // An initial backoff above the default cap raises the cap instead of being cut down silently.
            retry.setMaxBackoffMs(Math.max(JobDefaults.MAX_BACKOFF_MS, retry.getInitialBackoffMs()));
        }
        Double jitter = number(m.get("jitter"), Paths.key(path, "jitter"));
        if (jitter != null) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                problems.add(Paths.key(path, "jitter"), "must be between 0 and 1 (got " + jitter + ")");
            } else {
                retry.setJitter(jitter);
            }
        }
        return retry.build();
    }
}
