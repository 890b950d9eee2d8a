package dev.baton.agent.internal;

/** A step that cannot start, with the failure to report for it. */
final class StepStartException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Outcome.Failed outcome;

    StepStartException(Outcome.Failed outcome) {
        super(outcome.message());
        this.outcome = outcome;
    }

    Outcome.Failed outcome() {
        return outcome;
    }
}
