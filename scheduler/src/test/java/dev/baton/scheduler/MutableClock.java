package dev.baton.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** A clock the test moves by hand: the scheduler's "now" for schedules. */
public final class MutableClock implements InstantSource {
    private final AtomicReference<Instant> now;

    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public static MutableClock at(String iso) {
        return new MutableClock(Instant.parse(iso));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    public void set(Instant t) {
        now.set(t);
    }

    public void set(String iso) {
        set(Instant.parse(iso));
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }
}
