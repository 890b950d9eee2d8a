package dev.baton.agent.internal;

import dev.baton.events.ErrorClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's meters. Names are Micrometer's dotted form; Prometheus shows them as
 * {@code baton_agent_steps_running}, {@code baton_agent_step_duration_seconds}, … .
 */
public final class AgentMetrics {
    private final MeterRegistry registry;
    private final Timer dispatchToStart;
    private final Timer loopSlots;
    private final Timer loopPoll;
    private final Timer loopSettle;
    private final DistributionSummary commandsPerPoll;
    private final Counter logLinesDropped;
    private final Counter deadLetters;
    private final Counter redeliveries;
    private final Map<ErrorClass, Counter> failures = new EnumMap<>(ErrorClass.class);
    private final String agentId;

    public AgentMetrics(MeterRegistry registry, String agentId, Supplier<Number> running, Supplier<Number> freeSlots) {
        this(registry, agentId, null, running, freeSlots);
    }

    public AgentMetrics(MeterRegistry registry, String agentId, String region, Supplier<Number> running, Supplier<Number> freeSlots) {
        this.registry = registry;
        this.agentId = agentId;
        Gauge.builder("baton.agent.info", () -> 1).description("1 per live agent; its region (count by region = agents per region)")
                .tag("agent", agentId).tag("region", region == null || region.isBlank() ? "none" : region).register(registry);
        Gauge.builder("baton.agent.steps.running", running).description("Steps running on this agent")
                .tag("agent", agentId).register(registry);
        Gauge.builder("baton.agent.slots.free", freeSlots).description("Free slots of this agent")
                .tag("agent", agentId).register(registry);
        this.dispatchToStart = Timer.builder("baton.agent.dispatch.to.start")
                .description("From the command record's timestamp to the step's start (process spawned, handler called)")
                .tag("agent", agentId)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        // A command loop's round: wait for free slots, poll (share fetch), settle the poll's commands (their started
        // reports written). Polls that keep returning full batches while poll and settle take the time mean the
        // loops' intake is the limit (commands wait in the share group, not for a slot): agent.pool.consumers.
        this.loopSlots = loopTimer("slots");
        this.loopPoll = loopTimer("poll");
        this.loopSettle = loopTimer("settle");
        this.commandsPerPoll = DistributionSummary.builder("baton.agent.commands.per.poll")
                .description("Commands a command loop's poll returned (at most agent.poll.max.records); empty polls included")
                .tag("agent", agentId).register(registry);
        this.logLinesDropped = Counter.builder("baton.agent.log.lines.dropped")
                .description("Step output lines that could not be written to the logs topic (must stay 0)")
                .tag("agent", agentId).register(registry);
        this.deadLetters = Counter.builder("baton.agent.dead.letters")
                .description("Commands sent to the dead-letter topic").tag("agent", agentId).register(registry);
        this.redeliveries = Counter.builder("baton.agent.commands.redelivered")
                .description("Commands delivered again because an earlier acquisition was released or its lock expired")
                .tag("agent", agentId).register(registry);
        for (ErrorClass c : ErrorClass.values()) {
            failures.put(c, Counter.builder("baton.agent.failures").description("Failed attempts by error class")
                    .tag("agent", agentId).tag("error_class", c.name()).register(registry));
        }
    }

    private Timer loopTimer(String phase) {
        return Timer.builder("baton.agent.command.loop")
                .description("The command loops' rounds by phase: slots (waiting until agent.poll.max.records slots are free), "
                        + "poll (the share consumer's poll, the broker's wait included), settle (dispatching the poll's commands "
                        + "until their started reports are written; rounds that returned commands)")
                .tag("agent", agentId).tag("phase", phase).register(registry);
    }

    /** One command loop round: its wait for slots, its poll and the commands it returned, its settle (0 when none). */
    public void commandLoopRound(long slotsNanos, long pollNanos, int commands, long settleNanos) {
        loopSlots.record(slotsNanos, TimeUnit.NANOSECONDS);
        loopPoll.record(pollNanos, TimeUnit.NANOSECONDS);
        commandsPerPoll.record(commands);
        if (commands > 0) {
            loopSettle.record(settleNanos, TimeUnit.NANOSECONDS);
        }
    }

    public void redelivered() {
        redeliveries.increment();
    }

    public void dispatchToStart(Duration d) {
        dispatchToStart.record(d.isNegative() ? Duration.ZERO : d);
    }

    public Timer dispatchToStartTimer() {
        return dispatchToStart;
    }

    public void stepFinished(String kind, String outcome, Duration duration) {
        Timer.builder("baton.agent.step.duration").description("Duration of attempts by step kind and outcome")
                .tag("kind", kind).tag("outcome", outcome)
                .register(registry).record(duration);
    }

    public void failure(ErrorClass errorClass) {
        failures.get(errorClass).increment();
    }

    /**
     * A secret an attempt needed could not be had: {@code reason} is {@code missing} (no provider has it; the
     * provider tag lists the providers asked, e.g. {@code env+file}), {@code denied} (the provider refused the
     * agent's credentials) or {@code unavailable} (the provider could not be reached).
     */
    public void credentialFailure(String provider, String reason) {
        Counter.builder("baton.agent.credential.failures")
                .description("Attempts that failed because a secret could not be had, by provider and reason")
                .tag("agent", agentId).tag("provider", provider).tag("reason", reason)
                .register(registry).increment();
    }

    public void logLinesDropped(int n) {
        logLinesDropped.increment(n);
    }

    public double logLinesDroppedCount() {
        return logLinesDropped.count();
    }

    public void deadLetter() {
        deadLetters.increment();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
