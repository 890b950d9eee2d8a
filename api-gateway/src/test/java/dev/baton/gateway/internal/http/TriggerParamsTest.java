package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.Format;
import dev.baton.jobs.JobParser;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trigger endpoint's params check: the jobs module's one checker, answered with a 400 naming each param. */
class TriggerParamsTest {
    private static final JobDefinition JOB = JobParser.parse("""
            name: typed
            params:
              day: { type: date, default: "2026-01-01" }
              count: { type: int }
              region: { type: enum, values: [eu, us] }
              id: { pattern: "[a-z0-9-]+", maxLength: 8, required: true }
            steps: [{key: a, noop: {}}]
            """, Format.YAML, Instant.EPOCH);

    @Test
    void validParamsPass() {
        RunHandlers.checkParams(JOB, Map.of("id", "o-1", "day", "2026-05-01", "count", "3", "region", "us"));
    }

    @Test
    void valuesThatDoNotFitTheirDeclarationAre400NamingTheParam() {
        ApiError e = catchThrowableOfType(ApiError.class, () -> RunHandlers.checkParams(JOB,
                new java.util.LinkedHashMap<>(Map.of("id", "x\"; touch /tmp/pwned; echo \""))));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.code()).isEqualTo(ApiError.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("params.id");
        List<Map<String, String>> problems = problems(e);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.get("path")).isEqualTo("params.id");
            assertThat(p.get("message")).contains("is 28 characters long; at most 8");
        });

        ApiError typed = catchThrowableOfType(ApiError.class, () -> RunHandlers.checkParams(JOB,
                Map.of("id", "a", "day", "tomorrow", "count", "two", "region", "mars")));
        List<Map<String, String>> all = problems(typed);
        assertThat(all).extracting(p -> p.get("path")).containsExactlyInAnyOrder("params.day", "params.count", "params.region");
    }

    @Test
    void unknownAndMissingParamsStillName() {
        ApiError e = catchThrowableOfType(ApiError.class, () -> RunHandlers.checkParams(JOB, Map.of("nope", "1")));
        List<Map<String, String>> problems = problems(e);
        assertThat(problems).extracting(p -> p.get("path")).containsExactly("params.nope", "params.id");
    }

    @Test
    void noCacheIsABooleanAndFalseWhenAbsent() throws Exception {
        var mapper = dev.baton.gateway.internal.json.Json.MAPPER;
        assertThat(RunHandlers.noCache(mapper.readTree("{}"))).isFalse();
        assertThat(RunHandlers.noCache(mapper.readTree("{\"noCache\": null}"))).isFalse();
        assertThat(RunHandlers.noCache(mapper.readTree("{\"noCache\": true}"))).isTrue();
        ApiError e = catchThrowableOfType(ApiError.class, () -> RunHandlers.noCache(mapper.readTree("{\"noCache\": \"yes\"}")));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("noCache");
    }

    /** The problems as the API's JSON shows them ({@code path}, {@code message}). */
    @SuppressWarnings("unchecked")
    static List<Map<String, String>> problems(ApiError e) {
        return dev.baton.gateway.internal.json.Json.read(dev.baton.gateway.internal.json.Json.bytes(e.extra().get("problems")), List.class);
    }
}
