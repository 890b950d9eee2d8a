package dev.baton.agent.handlers;

import dev.baton.sdk.StepContext;
import dev.baton.sdk.StepHandler;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/** Blocks until interrupted (cancel or timeout); remembers which attempts saw the interrupt. */
public final class BlockingHandler implements StepHandler {
    public static final Set<String> INTERRUPTED = ConcurrentHashMap.newKeySet();

    @Override public String name() { return "block"; }

    @Override
    public void execute(StepContext ctx) throws Exception {
        try {
            Thread.sleep(300_000);
        } catch (InterruptedException e) {
            INTERRUPTED.add(ctx.attemptId());
            if (!ctx.isCanceled()) {
                throw new AssertionError("interrupted without being canceled");
            }
            throw e;
        }
    }
}
