package dev.baton.agent.handlers;

import dev.baton.sdk.NonRetryableException;
import dev.baton.sdk.RetryableException;
import dev.baton.sdk.StepContext;
import dev.baton.sdk.StepHandler;

/** Fails as config "mode" says: permanent, temporary or crash. */
public final class FailingHandler implements StepHandler {
    @Override public String name() { return "fail"; }

    @Override
    public void execute(StepContext ctx) {
        switch (ctx.config().getOrDefault("mode", "crash")) {
            case "permanent" -> throw new NonRetryableException("bad input");
            case "temporary" -> throw new RetryableException("service busy");
            default -> throw new IllegalStateException("boom");
        }
    }
}
