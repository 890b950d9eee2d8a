package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.events.JobDefinition;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobParamsTest {
    private static final JobDefinition JOB = TestJobs.parse("""
            name: x
            params:
              day: { default: "2026-01-01" }
              id: { required: true }
              note: {}
            steps: [{key: a, noop: {}}]
            """);

    @Test
    void fillsDefaultsAndEmptyOptionals() {
        assertThat(JobParams.effective(JOB, Map.of("id", "7")))
                .containsExactly(Map.entry("day", "2026-01-01"), Map.entry("id", "7"), Map.entry("note", ""));
    }

    @Test
    void suppliedValuesWin() {
        assertThat(JobParams.effective(JOB, Map.of("id", "7", "day", "2026-02-02", "note", "n")))
                .containsEntry("day", "2026-02-02").containsEntry("note", "n");
    }

    @Test
    void rejectsUnknownAndMissingRequired() {
        JobValidationException e = catchThrowableOfType(JobValidationException.class,
                () -> JobParams.effective(JOB, Map.of("dya", "1")));
        assertThat(e.problems()).containsExactly(
                new Problem("params.dya", "unknown parameter 'dya' for job 'x'; did you mean 'day'?"),
                new Problem("params.id", "required parameter is missing"));
    }
}
