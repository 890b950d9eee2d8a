package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cronutils.model.time.ExecutionTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronExpressionsTest {
    private static final ZonedDateTime FROM = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneId.of("Europe/Berlin"));

    @ParameterizedTest
    @CsvSource({
            "'30 2 * * *', 2026-01-01T02:30+01:00[Europe/Berlin]",
            "'*/15 * * * *', 2026-01-01T00:15+01:00[Europe/Berlin]",
            "'0 9 * * MON-FRI', 2026-01-01T09:00+01:00[Europe/Berlin]",
            "'0 0 * * 0', 2026-01-04T00:00+01:00[Europe/Berlin]",
            "'0 0 * * 7', 2026-01-04T00:00+01:00[Europe/Berlin]",
            "'0 0 1 JAN-MAR *', 2026-02-01T00:00+01:00[Europe/Berlin]",
            "'@daily', 2026-01-02T00:00+01:00[Europe/Berlin]",
            "'@hourly', 2026-01-01T01:00+01:00[Europe/Berlin]",
            "'*/10 * * * * *', 2026-01-01T00:00:10+01:00[Europe/Berlin]",
            "'0 30 2 * * *', 2026-01-01T02:30+01:00[Europe/Berlin]"})
    void acceptsUnixFiveFieldsNicknamesAndSixFieldsWithSeconds(String expression, String next) {
        ExecutionTime time = ExecutionTime.forCron(CronExpressions.parse(expression));
        assertThat(time.nextExecution(FROM)).hasValue(ZonedDateTime.parse(next));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "* * * *", "* * * * * * *", "61 * * * *", "0 24 * * *", "0 0 32 * *", "0 0 * 13 *",
            "0 0 * * 8", "0 0 L * *", "0 0 ? * *", "0 0 * * MON#2", "5-1 * * * *", "@reboot", "every day"})
    void rejectsOtherDialectsAndOutOfRangeValues(String expression) {
        assertThatThrownBy(() -> CronExpressions.parse(expression)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 24 * * *|invalid cron expression '0 24 * * *': Value 24 not in range [0, 23]",
            "* * *|cron expression '* * *' has 3 fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)"})
    void explainsWhy(String expression, String message) {
        assertThatThrownBy(() -> CronExpressions.parse(expression)).hasMessage(message);
    }
}
