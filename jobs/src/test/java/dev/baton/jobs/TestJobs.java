package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.events.JobDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Helpers shared by the job tests. */
final class TestJobs {
    static final Instant AT = Instant.parse("2026-03-01T10:15:30.123Z");
    /** The repository's examples directory (tests run with the module directory as working directory). */
    static final Path EXAMPLES = Path.of("..", "examples");

    private TestJobs() {}

    static JobDefinition parse(String yaml) {
        return JobParser.parse(yaml, Format.YAML, AT);
    }

    /** The problems of a job that must not parse. */
    static List<Problem> problems(String yaml) {
        return problems(yaml, Format.YAML);
    }

    static List<Problem> problems(String text, Format format) {
        JobValidationException e = catchThrowableOfType(JobValidationException.class,
                () -> JobParser.parse(text, format, AT));
        assertThat(e).as("expected the job to be rejected").isNotNull();
        assertThat(JobParser.validate(text, format)).isEqualTo(e.problems());
        return e.problems();
    }

    static Problem problem(String path, String message) {
        return new Problem(path, message);
    }

    static String example(String fileName) {
        try {
            return Files.readString(EXAMPLES.resolve(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
