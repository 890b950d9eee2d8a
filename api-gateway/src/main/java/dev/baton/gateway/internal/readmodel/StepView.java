package dev.baton.gateway.internal.readmodel;

import dev.baton.runmodel.state.StepStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One step of a {@link RunView}; {@code status} is the name of the coordinator's {@link StepStatus} (the shared run model's). */
public final class StepView {
    public String key;
    /** Position in the job's definition (steps, then onFailure hooks); -1 for a step the definition did not list. */
    public int index = -1;
    /** An onFailure hook rather than a regular step. */
    public boolean hook;
    public String pool;
    public List<String> needs = new ArrayList<>();
    public String status = StepStatus.PENDING.name();
    /** Number of the current (or last) attempt; 0 before the first dispatch. */
    public int attempt;
    public String attemptId;
    public String agentId;
    public String host;
    public Long dispatchedAt;
    public Long startedAt;
    public Long endedAt;
    public Long lastHeartbeat;
    public Long retryAt;
    public Long durationMs;
    public Map<String, String> outputs = new LinkedHashMap<>();
    public Map<String, String> outputRefs = new LinkedHashMap<>();
    public Error error;
    public List<Materialization> materializations = new ArrayList<>();
    public String reusedFrom;
    public boolean cancelRequested;
    public String skipReason;
    /** A sub-job step's child run (its current attempt's). */
    public String childRunId;

    /** A forEach step's instances: counts, and the instances in flight (null for other steps). */
    public ForEach forEach;

    public static final class ForEach {
        public int count;
        public int maxParallel;
        public int started;
        public int succeeded;
        public int failed;
        public int canceled;
        /** Instances in flight ({@code key[i]}), at most maxParallel; an instance leaves when it ends. */
        public Map<String, StepView> running = new java.util.TreeMap<>();
    }

    public static final class Error {
        public String errorClass;
        public String message;
        public Integer exitCode;
        public Boolean retryable;
        public int attempt;
    }

    public static final class Materialization {
        public String assetKey;
        public String partition;
        public String materializationId;
        public String dataVersion;
    }
}
