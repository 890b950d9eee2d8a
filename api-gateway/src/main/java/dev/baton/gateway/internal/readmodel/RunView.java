package dev.baton.gateway.internal.readmodel;

import dev.baton.runmodel.state.RunStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the read model knows about one run, folded from its events by {@link RunFold} and stored as JSON.
 * {@code status} is the name of the coordinator's {@link RunStatus} (the shared run model's), or
 * {@link RunFold#REJECTED} for a request that never became a run; {@link ApiStatus} maps them to the API's statuses.
 */
public final class RunView {
    public String runId;
    public String job;
    public Integer jobVersion;
    public String status;
    public String runKey;
    /** The run's partition key, or null. */
    public String partition;
    public Map<String, String> params = new LinkedHashMap<>();
    public Map<String, String> tags = new LinkedHashMap<>();
    public String origin;
    public String parentRunId;
    public String requestedBy;
    public Integer priority;
    public String traceId;
    /** Epoch millis of the accepted request (RunRequested); orders the run lists. */
    public long requestedAt;
    public Long startedAt;
    public Long endedAt;
    public Long durationMs;
    /** Why the run failed, was canceled or was rejected. */
    public String reason;
    public List<String> failedSteps;
    /** Set when more steps failed than {@code failedSteps} lists. */
    public Integer failedStepCount;
    public Boolean timedOut;
    public String cancelRequestedBy;
    public List<String> retriedAs = new ArrayList<>();
    public Rejection rejection;
    public Rejection lastCommandRejection;
    public int duplicateRequests;
    public long lastSequence;
    public long updatedAt;
    /**
     * Steps the fold works on. In the store this is empty: each step is its own record in
     * {@code gateway-run-steps} (a 5,000-step run would not fit one Kafka record); the processor loads the step an
     * event is about into it. Records written by older gateways embed all their steps here.
     */
    public Map<String, StepView> steps = new LinkedHashMap<>();
    /** Number of steps by coordinator step status, kept by the processor (run lists show them without the steps). */
    public Map<String, Integer> stepCounts = new java.util.TreeMap<>();
    public int stepCount;

    /** Why a request or command was not acted on. */
    public static final class Rejection {
        public String type;
        public String reason;
        public String existingRunId;
        public String command;
        public long at;
    }

    public boolean finished() {
        return RunFold.REJECTED.equals(status) || (status != null && RunStatus.valueOf(status).isFinished());
    }
}
