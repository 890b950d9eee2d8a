package dev.baton.coordinator.internal.admission;

/**
 * Internal message to the admission stage (topic {@code <prefix>coordinator-admission}, keyed by scope:name so
 * that every run of a job, or every step of a pool, meets in one task whatever partition its run lives on).
 *
 * @param op       REQUEST a slot, or RELEASE one (also withdraws a waiting request)
 * @param scope    JOB (concurrent runs of a job) or POOL (concurrent steps of a pool)
 * @param id       run id, or run id + "/" + step key
 */
public record AdmissionMessage(Op op, Scope scope, String name, int limit, String id, String runId, String stepKey,
                               int priority, String traceId) {
    public enum Op { REQUEST, RELEASE }
    public enum Scope { JOB, POOL }

    public String key() {
        return scope + ":" + name;
    }
}
