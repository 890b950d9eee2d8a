package dev.baton.runmodel;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.time.Instant;

/** The job and the clock of the run-model tests. */
public final class TestRuns {
    public static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    /** Two steps in a chain and a failure hook. */
    public static final JobDefinition TWO = JobParser.parse("""
            name: two
            steps:
              - { key: a, noop: {} }
              - { key: b, needs: [a], noop: {} }
            onFailure:
              - { key: alert, noop: {} }
            """, Format.YAML, Instant.EPOCH);

    private TestRuns() {}
}
