package dev.baton.alerting.internal;

/** A step attempt sent to a pool and not yet taken by an agent (for pool_unserved). */
public record PendingAttempt(String pool, String runId, String attemptId, long dispatchedAt) {}
