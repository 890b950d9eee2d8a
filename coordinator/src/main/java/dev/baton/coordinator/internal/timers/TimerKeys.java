package dev.baton.coordinator.internal.timers;

import dev.baton.coordinator.internal.events.Input.Timer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.utils.Bytes;

/**
 * Timer store keys ordered by due time: 8-byte big-endian due millis, then the timer's identity.
 * A range scan up to "now" yields exactly the due timers, oldest first.
 */
public final class TimerKeys {
    private TimerKeys() {}

    public static Bytes key(Timer t) {
        return key(t.id(), t.dueAt().toEpochMilli());
    }

    /** The store key of the timer {@code id} due at {@code dueMs}. */
    public static Bytes key(Timer.Id t, long dueMs) {
        byte[] id = identity(t).get();
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(Math.max(0, dueMs)).put(id).array());
    }

    /** A timer's identity without its due time (the key of the timer index). */
    public static Bytes identity(Timer.Id t) {
        return Bytes.wrap((t.runId() + '\0' + t.kind().name() + '\0' + (t.stepKey() == null ? "" : t.stepKey()) + '\0' + t.attempt())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Upper bound of a scan for timers due at or before {@code now}. */
    public static Bytes upTo(Instant now) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(now.toEpochMilli() + 1).array());
    }

    public static Bytes lowest() {
        return Bytes.wrap(new byte[8]);
    }

    public static byte[] value(Timer t) {
        return (t.kind().name() + '\0' + t.runId() + '\0' + (t.stepKey() == null ? "" : t.stepKey()) + '\0' + t.attempt()
                + '\0' + t.dueAt().toEpochMilli()).getBytes(StandardCharsets.UTF_8);
    }

    public static Timer parse(byte[] value) {
        String[] p = new String(value, StandardCharsets.UTF_8).split("\0", -1);
        return new Timer(Timer.Kind.valueOf(p[0]), p[1], p[2].isEmpty() ? null : p[2], Integer.parseInt(p[3]),
                Instant.ofEpochMilli(Long.parseLong(p[4])));
    }
}
