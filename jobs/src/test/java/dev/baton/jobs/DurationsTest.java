package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({
            "PT5M, 300000", "PT1S, 1000", "P1D, 86400000", "P1DT2H, 93600000", "PT0.5S, 500", "pt30s, 30000",
            "500ms, 500", "30s, 30000", "5m, 300000", "1h, 3600000", "2d, 172800000", "1h30m, 5400000",
            "2m30s, 150000", "1s500ms, 1500", "0s, 0", "' 5m ', 300000"})
    void acceptsIsoAndShortForms(String text, long millis) {
        assertThat(Durations.parseMillis(text)).isEqualTo(millis);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "1.5h", "5 m", "m", "5min", "1m1h", "P1M", "P1Y", "PT", "five minutes", "-5m"})
    void rejectsEverythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"5, '''5'' has no unit; write e.g. 5s or PT5S'",
            "PT0.0001S, '''PT0.0001S'' is finer than a millisecond'",
            "P1M, '''P1M'' is not an ISO-8601 duration (days, hours, minutes, seconds only, e.g. PT5M or P1DT2H); or use the short form 5m'"})
    void explainsWhy(String text, String message) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource({"300000, PT5M", "500, PT0.5S", "86400000, PT24H", "5400000, PT1H30M"})
    void formatsAsIso(long millis, String text) {
        assertThat(Durations.format(millis)).isEqualTo(text);
        assertThat(Durations.parseMillis(text)).isEqualTo(millis);
    }
}
