package dev.baton.cli;

import dev.baton.sdk.StepContext;
import dev.baton.sdk.StepHandler;

/** A java step for the template tests: logs its config value "name" and returns it as an output. */
public final class ConfigEchoHandler implements StepHandler {
    @Override
    public String name() {
        return "config-echo";
    }

    @Override
    public void execute(StepContext ctx) {
        String name = ctx.config().get("name");
        ctx.log().info("java:{}:end", name);
        ctx.output("name", name);
    }
}
