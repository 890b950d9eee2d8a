package dev.baton.agent.internal;

import dev.baton.events.LogBatch;
import dev.baton.events.LogLine;
import dev.baton.events.LogStream;
import dev.baton.events.StepCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams step output to the logs topic: one {@link AttemptLog} per attempt numbers its lines from 1,
 * batches them (sent when a batch is full and at least every flush interval) and keeps them in order
 * (one key per run, one producer, idempotent). Nothing is dropped on purpose: a writer that outpaces
 * Kafka blocks in {@link Producer#send}, which blocks the step's pipe, which slows the step down.
 */
public final class LogShipper {
    private static final Logger log = LoggerFactory.getLogger(LogShipper.class);
    /** Longest text of one log line; a longer line is split, never cut. */
    public static final int MAX_LINE_CHARS = 16 * 1024;
    static final int BATCH_LINES = 500;
    static final int BATCH_CHARS = 256 * 1024;

    private final Producer<String, byte[]> producer;
    private final Codec codec;
    private final String topic;
    private final String agentId;
    private final AgentMetrics metrics;
    private final Set<AttemptLog> open = ConcurrentHashMap.newKeySet();
    // A lock, not a monitor (as AttemptLog's): opens and closes run on virtual threads.
    private final ReentrantLock openLock = new ReentrantLock();
    private Runnable firstOpened = () -> {};
    private Runnable lastClosed = () -> {};

    public LogShipper(Producer<String, byte[]> producer, Codec codec, String topic, String agentId, AgentMetrics metrics) {
        this.producer = producer;
        this.codec = codec;
        this.topic = topic;
        this.agentId = agentId;
        this.metrics = metrics;
    }

    public AttemptLog open(StepCommand cmd) {
        AttemptLog l = new AttemptLog(cmd);
        openLock.lock();
        try {
            boolean first = open.isEmpty();
            open.add(l);
            if (first) {
                firstOpened.run();
            }
        } finally {
            openLock.unlock();
        }
        return l;
    }

    /**
     * Runs {@code firstOpened} when an attempt log opens while none is open and {@code lastClosed} when the last open
     * one has closed, one after the other under one lock: the periodic {@link #flushAll} need only run in between (an
     * idle agent's flush thread used to wake every flush interval with nothing to send).
     */
    public void whileAnyOpen(Runnable firstOpened, Runnable lastClosed) {
        openLock.lock();
        try {
            this.firstOpened = firstOpened;
            this.lastClosed = lastClosed;
            if (!open.isEmpty()) {
                firstOpened.run();
            }
        } finally {
            openLock.unlock();
        }
    }

    /** Sends what each open attempt has buffered; called every flush interval. */
    public void flushAll() {
        for (AttemptLog l : open) {
            try {
                l.flush();
            } catch (RuntimeException e) {
                log.warn("Log flush of attempt {} failed: {}", l.cmd.getAttemptId(), e.toString());
            }
        }
    }

    /** The log stream of one attempt. Thread-safe: stdout and stderr readers append concurrently. */
    public final class AttemptLog {
        private final StepCommand cmd;
        // A lock, not a monitor: producer.send may block (backpressure) and must not pin a virtual thread's carrier.
        private final ReentrantLock lock = new ReentrantLock();
        private List<LogLine> pending = new ArrayList<>();
        private int pendingChars;
        private long seq;
        private long lines;
        private CompletableFuture<Void> lastSend = CompletableFuture.completedFuture(null);
        private boolean closed;
        private volatile Redactor redactor = Redactor.NONE;

        private AttemptLog(StepCommand cmd) {
            this.cmd = cmd;
        }

        public void stdout(String text) { append(LogStream.STDOUT, text); }
        public void stderr(String text) { append(LogStream.STDERR, text); }
        /** A line written by the agent itself (start, exit code, cancel, …). */
        public void system(String text) { append(LogStream.SYSTEM, text); }

        /** Masks these secret values in every line appended from now on. */
        void redactWith(Redactor r) {
            this.redactor = r;
        }

        public void append(LogStream stream, String raw) {
            // Before splitting, so a value is never cut in two pieces that each escape the mask.
            String text = redactor.redact(raw);
            if (text.length() <= MAX_LINE_CHARS) {
                appendLine(stream, text);
                return;
            }
            for (int i = 0; i < text.length(); i += MAX_LINE_CHARS) {
                appendLine(stream, text.substring(i, Math.min(text.length(), i + MAX_LINE_CHARS)));
            }
        }

        private void appendLine(LogStream stream, String text) {
            lock.lock();
            try {
                pending.add(new LogLine(++seq, stream, Instant.now(), text));
                lines++;
                pendingChars += text.length();
                // A late line (a reader finishing after the attempt ended) still goes out, in its own batch.
                if (pending.size() >= BATCH_LINES || pendingChars >= BATCH_CHARS || closed) {
                    flushLocked();
                }
            } finally {
                lock.unlock();
            }
        }

        public void flush() {
            lock.lock();
            try {
                flushLocked();
            } finally {
                lock.unlock();
            }
        }

        /** Lines written so far. */
        public long lines() {
            lock.lock();
            try {
                return lines;
            } finally {
                lock.unlock();
            }
        }

        private void flushLocked() {
            if (pending.isEmpty()) {
                return;
            }
            List<LogLine> batch = pending;
            pending = new ArrayList<>();
            pendingChars = 0;
            LogBatch value = LogBatch.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setRunId(cmd.getRunId())
                    .setTimestamp(Instant.now())
                    .setTraceId(cmd.getTraceId())
                    .setStepKey(cmd.getStepKey())
                    .setAttempt(cmd.getAttempt())
                    .setAttemptId(cmd.getAttemptId())
                    .setAgentId(agentId)
                    .setLines(batch)
                    .build();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            ProducerRecord<String, byte[]> record;
            try {
                record = new ProducerRecord<>(topic, cmd.getRunId(), codec.logBatch(topic, value));
            } catch (RuntimeException e) {
                dropped(batch, e);
                sent.complete(null);
                lastSend = sent;
                return;
            }
            while (true) {
                try {
                    // Under this lock so batches of one attempt enter the producer in sequence order.
                    producer.send(record, (md, e) -> {
                        if (e != null) {
                            dropped(batch, e);
                        }
                        sent.complete(null);
                    });
                    break;
                } catch (TimeoutException e) {
                    // The producer's buffer stayed full for max.block.ms: keep blocking the writer, never drop.
                    log.warn("Log buffer full while writing attempt {}; the step's output is held back", cmd.getAttemptId());
                } catch (RuntimeException e) {
                    dropped(batch, e);
                    sent.complete(null);
                    break;
                }
            }
            lastSend = sent;
        }

        private void dropped(List<LogLine> batch, Exception e) {
            metrics.logLinesDropped(batch.size());
            log.error("Could not write {} log lines of attempt {} (seq {}..{}): {}", batch.size(),
                    cmd.getAttemptId(), batch.getFirst().getSeq(), batch.getLast().getSeq(), e.toString());
        }

        /**
         * Sends the remaining lines and waits (bounded) until every batch of this attempt was
         * acknowledged, so the logs are complete when the terminal report goes out.
         */
        public void close() {
            CompletableFuture<Void> last;
            lock.lock();
            try {
                flushLocked();
                closed = true;
                last = lastSend;
            } finally {
                lock.unlock();
            }
            openLock.lock();
            try {
                if (open.remove(this) && open.isEmpty()) {
                    lastClosed.run();
                }
            } finally {
                openLock.unlock();
            }
            try {
                last.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("Waiting for the logs of attempt {}: {}", cmd.getAttemptId(), e.toString());
            }
        }
    }
}
