package dev.baton.coordinator.internal.processing;

import dev.baton.events.StepDefinition;
import dev.baton.events.StepRunIf;
import dev.baton.jobs.JobExpressions;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;

/**
 * When a pending step may run: its {@code runIf} over its upstream steps' outcomes, then its {@code when:} condition
 * (the sensor filter language over params and upstream outputs). Pure.
 */
final class Conditions {
    private Conditions() {}

    enum Verdict { WAIT, RUN, SKIP, FAIL }

    record Decision(Verdict verdict, String reason) {
        static final Decision WAIT = new Decision(Verdict.WAIT, null);
        static final Decision RUN = new Decision(Verdict.RUN, null);
    }

    static Decision decide(RunState s, Plan plan, StepState st) {
        StepDefinition def = plan.step(st.key());
        Decision upstream = upstream(s, plan, st.key(), def.getRunIf() == null ? StepRunIf.ALL_SUCCEEDED : def.getRunIf());
        if (upstream.verdict() != Verdict.RUN || def.getWhen() == null) {
            return upstream;
        }
        try {
            boolean ok = JobExpressions.evaluateCondition(def.getWhen(), s.params(),
                    RunDecider.upstreamOutputs(s, plan, st.key(), StepState::outputs));
            return ok ? Decision.RUN : new Decision(Verdict.SKIP, "condition is false: when: " + def.getWhen());
        } catch (IllegalArgumentException e) {
            return new Decision(Verdict.FAIL, "cannot evaluate when: " + e.getMessage());
        }
    }

    private static Decision upstream(RunState s, Plan plan, String key, StepRunIf runIf) {
        boolean allEnded = true;
        String failed = null;
        String notRun = null;
        for (String need : plan.needs(key)) {
            StepStatus ns = s.step(need).status();
            if (!ns.isTerminal()) {
                allEnded = false;
            } else if (ns == StepStatus.FAILED) {
                failed = failed == null ? need : failed;
            } else if (ns != StepStatus.SUCCEEDED) {
                notRun = notRun == null ? need : notRun;
            }
        }
        return switch (runIf) {
            case ALL_SUCCEEDED -> {
                String blocked = failed != null ? failed : notRun;
                yield blocked != null ? new Decision(Verdict.SKIP, "upstream step '" + blocked + "' did not succeed")
                        : allEnded ? Decision.RUN : Decision.WAIT;
            }
            case ALWAYS -> allEnded ? Decision.RUN : Decision.WAIT;
            case ALL_DONE -> !allEnded ? Decision.WAIT : notRun != null
                    ? new Decision(Verdict.SKIP, "upstream step '" + notRun + "' did not run (runIf: allDone)")
                    : Decision.RUN;
            case ANY_FAILED -> {
                if (!allEnded) {
                    yield Decision.WAIT;
                }
                for (String u : plan.upstreamOf(key)) {
                    StepState us = s.step(u);
                    if (us != null && us.status() == StepStatus.FAILED) {
                        yield Decision.RUN;
                    }
                }
                yield new Decision(Verdict.SKIP, "no upstream step failed (runIf: anyFailed)");
            }
        };
    }
}
