package dev.baton.jobs;

import java.util.Objects;

/**
 * One thing wrong with a job file.
 *
 * @param path    where, in JSONPath-like form without the leading {@code $.}: {@code steps[1].retry.backoff},
 *                {@code params.day}, {@code tags['team.name']}; {@code $} is the document itself
 * @param message what is wrong, for a human
 */
public record Problem(String path, String message) {
    public Problem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
