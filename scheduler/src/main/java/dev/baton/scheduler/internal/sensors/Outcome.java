package dev.baton.scheduler.internal.sensors;

import dev.baton.events.RunRequest;

/** What a sensor does with one consumed record. */
public sealed interface Outcome {
    /** Request a run. */
    record Request(RunRequest request) implements Outcome {}

    /** The record does not concern this trigger (filter false, another asset, another lineage event type). */
    record Filtered() implements Outcome {}

    /** The record cannot be used: it goes to the dead-letter topic with the cause and reason. */
    record DeadLetter(String cause, String reason) implements Outcome {}

    Filtered FILTERED = new Filtered();
}
