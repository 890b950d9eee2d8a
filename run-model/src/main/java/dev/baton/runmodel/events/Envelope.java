package dev.baton.runmodel.events;

import java.time.Instant;

/**
 * One accepted event of a run with its position in the run's history.
 *
 * @param stepKey the step an {@link Event.StepLevel} event is about; null for run-level events
 */
public record Envelope(String eventId, String runId, Instant timestamp, String traceId, String job, long sequence,
                       String stepKey, Event event) {}
