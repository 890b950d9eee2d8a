package dev.baton.agent.handlers;

import dev.baton.sdk.StepContext;
import dev.baton.sdk.StepHandler;
import java.util.Map;

/** Copies params and inputs to outputs, logs, and materializes the asset named by config "asset". */
public final class EchoHandler implements StepHandler {
    @Override public String name() { return "echo"; }

    @Override
    public void execute(StepContext ctx) {
        ctx.log().info("hello {} from attempt {}", ctx.params().get("name"), ctx.attempt());
        ctx.log().warn("a warning");
        ctx.params().forEach((k, v) -> ctx.output("param." + k, v));
        ctx.inputs().forEach((step, outs) -> outs.forEach((k, v) -> ctx.output("input." + step + "." + k, v)));
        ctx.output("attemptId", ctx.attemptId());
        ctx.outputRef("report", "s3://bucket/" + ctx.runId());
        String asset = ctx.config().get("asset");
        if (asset != null) {
            ctx.materialize(asset, "p1", Map.of("rows", 3, "source", "echo"));
        }
    }
}
