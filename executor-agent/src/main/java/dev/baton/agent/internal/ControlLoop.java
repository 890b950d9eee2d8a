package dev.baton.agent.internal;

import dev.baton.events.CancelStep;
import dev.baton.events.StepCommand;
import dev.baton.platform.ServiceHealth;
import dev.baton.schemas.serde.EventDecodeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the broadcast agent-control topic (cancels) without a consumer group: every agent sees every
 * cancel. At start it reads back a short window, so a cancel sent just before this agent started
 * still stops an execute that reaches it afterwards.
 */
public final class ControlLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);
    static final Duration LOOKBACK = Duration.ofMinutes(10);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Codec codec;
    private final AgentRuntime runtime;
    private final DeadLetters deadLetters;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile Throwable failure;

    public ControlLoop(Consumer<byte[], byte[]> consumer, String topic, Codec codec, AgentRuntime runtime, DeadLetters deadLetters) {
        this.consumer = consumer;
        this.topic = topic;
        this.codec = codec;
        this.runtime = runtime;
        this.deadLetters = deadLetters;
    }

    /** Assigns every partition and positions at {@code now - LOOKBACK} (or the end); call before taking commands. */
    public void position() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("Topic " + topic + " has no partitions (does it exist?)");
        }
        consumer.assign(partitions);
        long since = Instant.now().minus(LOOKBACK).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, Duration.ofSeconds(60));
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(60));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = found.get(tp);
            consumer.seek(tp, o != null ? o.offset() : end.get(tp));
        }
        // Catch up now, so every cancel sent before this agent started is known before it takes a command.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                log.warn("Could not read the recent cancels within 60 s; continuing");
                break;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                handle(r);
            }
        }
    }

    /** UP while the loop's thread reads cancels; DOWN once it died, since cancels then no longer reach this agent. */
    public ServiceHealth health() {
        Thread t = thread;
        if (stopping) {
            return ServiceHealth.STOPPED;
        }
        if (t == null) {
            return ServiceHealth.starting("control loop not started");
        }
        Throwable f = failure;
        if (f != null) {
            return ServiceHealth.down("control loop (thread " + t.getName() + ") died: " + f);
        }
        if (!t.isAlive()) {
            return ServiceHealth.down("control loop (thread " + t.getName() + ") ended");
        }
        return ServiceHealth.UP;
    }

    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        Error fatal = null;
        try {
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    handle(r);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("Control loop failed; cancels no longer reach this agent, which reports DOWN", e);
            fatal = e instanceof Error err ? err : null;
        } finally {
            consumer.close(dev.baton.platform.ConsumerClose.bounded()); // assigned, no group: commits nothing
        }
        if (fatal != null) {
            throw fatal; // to the thread's uncaught exception handler: an OutOfMemoryError ends the process there
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        StepCommand cmd;
        try {
            cmd = codec.command(r.topic(), r.value());
        } catch (EventDecodeException e) {
            deadLetter(r, e.failure().name(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            deadLetter(r, "INVALID_EVENT", "cannot decode: " + e);
            return;
        }
        if (cmd.getCommand() instanceof CancelStep c) {
            runtime.cancel(cmd, c.getReason(), c.getGraceMs());
        } else {
            log.debug("Ignoring a {} on the control topic", cmd.getCommand() == null ? "null" : cmd.getCommand().getClass().getSimpleName());
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String cause, String reason) {
        // Every agent reads this broadcast topic, so each one records the bad record it saw.
        try {
            deadLetters.send(r, cause, reason, null, null);
        } catch (Exception e) {
            log.error("Undecodable cancel at {}-{}@{} ({}: {}) could not be dead-lettered: {}",
                    r.topic(), r.partition(), r.offset(), cause, reason, e.toString());
        }
    }
}
