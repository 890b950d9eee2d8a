package dev.baton.agent.internal;

import dev.baton.events.ExecuteStep;
import dev.baton.events.StepCommand;
import dev.baton.platform.ServiceHealth;
import dev.baton.schemas.serde.DecodeFailure;
import dev.baton.schemas.serde.EventDecodeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the commands of one pool from its share group, on one thread (the share consumer is not
 * thread-safe, so every acknowledgement is applied here, queued back by the attempts).
 *
 * <p>Flow control: before each poll the loop reserves {@code batch} slots, and the consumer returns at
 * most {@code batch} records ({@code max.poll.records} with the {@code record_limit} acquire mode), so
 * the agent never holds a command it has no slot for. Explicit acknowledgement: a command is
 * accepted only once its attempt's started report is written; records of one poll are all settled
 * (accepted, released or dead-lettered) before the next poll. An agent whose slots stay full leaves
 * the share group until a slot frees, so its share of the partitions goes to other agents.
 */
public final class CommandLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(CommandLoop.class);
    /** Slots full this long: leave the group (well under max.poll.interval.ms, which would evict us). */
    static final Duration LEAVE_WHEN_FULL_AFTER = Duration.ofSeconds(30);
    /**
     * With acknowledgements pending and no slots for the next poll, how long to wait for slots before sending them on
     * their own: far below the acquisition lock (at least 1 s, agent.command.lock.ms), so an acknowledgement is at most
     * this much later, and a redelivery after an agent crash in that window is what the lock allows anyway.
     */
    static final Duration ACKS_RIDE_WAIT = Duration.ofMillis(100);

    private record Ack(ConsumerRecord<byte[], byte[]> record, AcknowledgeType type) {}

    private final String pool;
    private final String topic;
    private final ShareConsumer<byte[], byte[]> consumer;
    private final AgentRuntime runtime;
    private final Codec codec;
    private final DeadLetters deadLetters;
    private final int batch;
    private final int maxDeliveries;
    private final Duration pollTimeout;
    private final Semaphore slots;
    private final BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private volatile boolean subscribed;
    private volatile Thread thread;
    private volatile Throwable failure;
    private boolean acksPending;

    public CommandLoop(String pool, String topic, ShareConsumer<byte[], byte[]> consumer, AgentRuntime runtime, Codec codec,
                       DeadLetters deadLetters, int batch, int maxDeliveries, Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
        this.pool = pool;
        this.topic = topic;
        this.consumer = consumer;
        this.runtime = runtime;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.batch = batch;
        this.maxDeliveries = maxDeliveries;
        this.slots = runtime.slots();
        consumer.setAcknowledgementCommitCallback((offsets, e) -> {
            if (e != null) {
                log.warn("Acknowledgement of commands {} on pool {} failed: {}", offsets, pool, e.toString());
            }
        });
    }

    public boolean subscribed() {
        return subscribed;
    }

    /**
     * UP while the loop's thread takes commands (or was asked to stop); DOWN once it died or ended by itself, since
     * then the agent takes no more commands from this pool and nothing else would notice.
     */
    public ServiceHealth health() {
        Thread t = thread;
        if (stopping) {
            return ServiceHealth.STOPPED;
        }
        if (t == null) {
            return ServiceHealth.starting("command loop of pool " + pool + " not started");
        }
        Throwable f = failure;
        if (f != null) {
            return ServiceHealth.down("command loop of pool " + pool + " (thread " + t.getName() + ") died: " + f);
        }
        if (!t.isAlive()) {
            return ServiceHealth.down("command loop of pool " + pool + " (thread " + t.getName() + ") ended");
        }
        return ServiceHealth.UP;
    }

    /** Stops taking commands; attempts already started carry on. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        Error fatal = null;
        try {
            subscribe();
            long fullSince = -1;
            long waitingSince = System.nanoTime();
            while (!stopping) {
                boolean reserved = slots.tryAcquire(batch);
                if (!reserved && acksPending) {
                    // Short steps free their slots within milliseconds: the next poll then carries the acknowledgements,
                    // instead of a request of their own (one per command of a chain whose steps take every slot).
                    reserved = slots.tryAcquire(batch, ACKS_RIDE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
                if (!reserved) {
                    // No poll right now, so no poll carries the acknowledgements: send them on their own,
                    // before the acquisition locks of the accepted commands run out.
                    flushAcknowledgements();
                    reserved = slots.tryAcquire(batch, 200, TimeUnit.MILLISECONDS);
                }
                if (!reserved) {
                    long now = System.nanoTime();
                    fullSince = fullSince < 0 ? now : fullSince;
                    if (subscribed && now - fullSince > LEAVE_WHEN_FULL_AFTER.toNanos()) {
                        log.info("All slots busy for {} s: leaving the share group of pool {} until one frees",
                                LEAVE_WHEN_FULL_AFTER.toSeconds(), pool);
                        consumer.unsubscribe();
                        subscribed = false;
                    }
                    continue;
                }
                fullSince = -1;
                if (!subscribed) {
                    subscribe();
                }
                pollOnce(System.nanoTime() - waitingSince);
                waitingSince = System.nanoTime();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("Command loop of pool {} failed; the agent takes no more commands from it and reports DOWN", pool, e);
            fatal = e instanceof Error err ? err : null;
        } finally {
            try {
                consumer.close(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                log.warn("Closing the share consumer of pool {}: {}", pool, e.toString());
            }
            subscribed = false;
        }
        if (fatal != null) {
            throw fatal; // to the thread's uncaught exception handler: an OutOfMemoryError ends the process there
        }
    }

    private void subscribe() {
        consumer.subscribe(List.of(topic));
        subscribed = true;
    }

    /** One poll with {@code batch} slots reserved by the caller, who waited {@code slotsNanos} for them. */
    private void pollOnce(long slotsNanos) throws InterruptedException {
        ConsumerRecords<byte[], byte[]> records;
        long polling = System.nanoTime();
        try {
            records = consumer.poll(pollTimeout);
        } catch (WakeupException e) {
            slots.release(batch);
            return;
        }
        long settling = System.nanoTime();
        acksPending = false; // the poll sent them
        int n = records.count();
        if (n > batch) {
            // Cannot happen with record_limit; if a broker ignores it, the extras go back untouched.
            log.warn("Got {} commands for {} slots on pool {}", n, batch, pool);
        }
        if (n < batch) {
            slots.release(batch - n);
        }
        if (n == 0) {
            runtime.metrics().commandLoopRound(slotsNanos, settling - polling, 0, 0);
            return;
        }
        int pending = 0;
        int i = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (++i > batch) {
                consumer.acknowledge(r, AcknowledgeType.RELEASE); // no slot was reserved for it
                continue;
            }
            if (stopping) {
                consumer.acknowledge(r, AcknowledgeType.RELEASE); // unstarted: another agent takes it
                slots.release();
                continue;
            }
            Optional<AcknowledgeType> now = handle(r);
            if (now.isPresent()) {
                consumer.acknowledge(r, now.get());
            } else {
                pending++;
            }
        }
        // Explicit mode: every record of this poll must be settled before the next poll.
        while (pending > 0) {
            Ack a = acks.poll(1, TimeUnit.SECONDS);
            if (a != null) {
                consumer.acknowledge(a.record(), a.type());
                pending--;
            }
        }
        // The next poll carries the acknowledgements (a separate commit per command costs ~5 ms of latency);
        // when no poll follows soon, flushAcknowledgements() sends them.
        acksPending = true;
        runtime.metrics().commandLoopRound(slotsNanos, settling - polling, n, System.nanoTime() - settling);
    }

    private void flushAcknowledgements() {
        if (acksPending) {
            consumer.commitAsync();
            acksPending = false;
        }
    }

    /**
     * Decides about one record holding one slot: returns the acknowledgement to apply now (the slot
     * is then released), or empty when an attempt started and will queue its acknowledgement.
     */
    private Optional<AcknowledgeType> handle(ConsumerRecord<byte[], byte[]> r) {
        String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
        int deliveries = r.deliveryCount().map(Short::intValue).orElse(1);
        if (deliveries > 1) {
            runtime.metrics().redelivered();
            log.debug("Command {}-{}@{} on pool {}: delivery {}, {} ms after it was written", r.topic(), r.partition(), r.offset(),
                    pool, deliveries, System.currentTimeMillis() - r.timestamp());
        }
        if (deliveries > maxDeliveries) {
            return deadLetter(r, "TOO_MANY_DELIVERIES", "delivered " + deliveries + " times (agent.max.deliveries="
                    + maxDeliveries + "); agents that took it before did not acknowledge it", key, null);
        }
        StepCommand cmd;
        try {
            cmd = codec.command(r.topic(), r.value());
        } catch (EventDecodeException e) {
            if (e.failure() == DecodeFailure.REGISTRY_UNAVAILABLE) {
                log.warn("Schema registry unavailable while decoding a command on pool {}; releasing it: {}", pool, e.getMessage());
                slots.release();
                return Optional.of(AcknowledgeType.RELEASE);
            }
            return deadLetter(r, e.failure().name(), e.getMessage(), key, null);
        } catch (RuntimeException e) {
            return deadLetter(r, "INVALID_EVENT", "cannot decode: " + e, key, null);
        }
        if (!(cmd.getCommand() instanceof ExecuteStep exec)) {
            return deadLetter(r, "INVALID_EVENT", "a " + (cmd.getCommand() == null ? "null" : cmd.getCommand().getClass().getSimpleName())
                    + " on a command topic; agents take only ExecuteStep here (cancels go to the agent-control topic)",
                    cmd.getRunId(), cmd.getTraceId());
        }
        if (!pool.equals(cmd.getPool())) {
            log.warn("Command for pool {} arrived on the topic of pool {}; running it", cmd.getPool(), pool);
        }
        try {
            return runtime.dispatch(cmd, exec, r.timestamp(), type -> acks.add(new Ack(r, type)));
        } catch (Exception e) {
            log.error("Could not take attempt {}; releasing its command: {}", cmd.getAttemptId(), e.toString());
            return Optional.of(AcknowledgeType.RELEASE);
        }
    }

    private Optional<AcknowledgeType> deadLetter(ConsumerRecord<byte[], byte[]> r, String cause, String reason,
                                                 String runId, String traceId) {
        slots.release();
        try {
            deadLetters.send(r, cause, reason, runId, traceId);
            return Optional.of(AcknowledgeType.ACCEPT);
        } catch (Exception e) {
            log.error("Could not dead-letter {}-{}@{}; releasing it: {}", r.topic(), r.partition(), r.offset(), e.toString());
            return Optional.of(AcknowledgeType.RELEASE);
        }
    }
}
