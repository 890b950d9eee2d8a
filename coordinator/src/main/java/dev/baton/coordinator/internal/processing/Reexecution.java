package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.coordinator.internal.events.Input.Timer;
import dev.baton.events.JobDefinition;
import dev.baton.events.MaterializationReport;
import dev.baton.events.ParamSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.events.UpstreamRef;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.RunStatus;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** Re-execution from failure: a failed or canceled run asks for a child run that reuses its succeeded steps. */
final class Reexecution {

    Reexecution() {}

    void retry(Input.RetryRun r, DecisionContext ctx) {
        RunState s = ctx.state();
        if (s == null) {
            ctx.append(null, new CommandRejected("RetryRun", Rejection.UNKNOWN_RUN, "unknown run", r.eventId()));
            return;
        }
        if (s.status() != RunStatus.FAILED && s.status() != RunStatus.CANCELED) {
            ctx.append(null, new CommandRejected("RetryRun", Rejection.INVALID_STATE,
                    "only a failed or canceled run can be re-executed from failure; run is " + s.status(), r.eventId()));
            return;
        }
        if (r.newRunId() == null || r.newRunId().isBlank() || s.retriedAs().contains(r.newRunId())) {
            ctx.append(null, new CommandRejected("RetryRun", Rejection.DUPLICATE_RUN,
                    "re-execution " + r.newRunId() + " was already requested", r.eventId()));
            return;
        }
        List<String> reused = s.steps().values().stream()
                .filter(st -> !st.hook() && st.status() == StepStatus.SUCCEEDED).map(StepState::key).toList();
        ctx.append(null, new RunRetried(r.newRunId(), reused));
    }
}
