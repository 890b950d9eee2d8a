package dev.baton.jobs;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

/**
 * The one cron dialect of Baton, shared by the validator and the scheduler so that what validates is what runs.
 *
 * <ul>
 *   <li>Five fields, classic Unix: {@code minute hour day-of-month month day-of-week}; day-of-week 0-7 (0 and 7 are
 *       Sunday) or {@code SUN..SAT}; months {@code 1-12} or {@code JAN..DEC}; {@code *}, lists, ranges, steps.
 *       When both day fields are restricted, either may match (Unix semantics).</li>
 *   <li>Six fields: the same with {@code second} first ({@code 0 30 2 * * *}).</li>
 *   <li>Nicknames (five-field dialect): {@code @yearly @annually @monthly @weekly @daily @midnight @hourly}.</li>
 * </ul>
 * Quartz extensions ({@code ?}, {@code L}, {@code W}, {@code #}) are not accepted.
 */
public final class CronExpressions {
    private static final CronDefinition FIVE_FIELDS = CronDefinitionBuilder.defineCron()
            .withMinutes().withValidRange(0, 59).withStrictRange().and()
            .withHours().withValidRange(0, 23).withStrictRange().and()
            .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
            .withMonth().withValidRange(1, 12).withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
            .withSupportedNicknameYearly().withSupportedNicknameAnnually().withSupportedNicknameMonthly()
            .withSupportedNicknameWeekly().withSupportedNicknameDaily().withSupportedNicknameMidnight()
            .withSupportedNicknameHourly()
            .instance();
    private static final CronDefinition SIX_FIELDS = CronDefinitionBuilder.defineCron()
            .withSeconds().withValidRange(0, 59).withStrictRange().and()
            .withMinutes().withValidRange(0, 59).withStrictRange().and()
            .withHours().withValidRange(0, 23).withStrictRange().and()
            .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
            .withMonth().withValidRange(1, 12).withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
            .instance();
    private static final CronParser FIVE = new CronParser(FIVE_FIELDS);
    private static final CronParser SIX = new CronParser(SIX_FIELDS);

    private CronExpressions() {}

    /**
     * Parses and validates an expression.
     *
     * @throws IllegalArgumentException with a message fit for a user
     */
    public static Cron parse(String expression) {
        String s = expression == null ? "" : expression.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty cron expression");
        }
        int fields = s.split("\\s+").length;
        CronParser parser;
        if (s.startsWith("@")) {
            parser = FIVE;
        } else if (fields == 5) {
            parser = FIVE;
        } else if (fields == 6) {
            parser = SIX;
        } else {
            throw new IllegalArgumentException("cron expression '" + s + "' has " + fields
                    + " fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)");
        }
        try {
            Cron cron = parser.parse(s);
            return cron.validate();
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage() == null ? "invalid" : e.getMessage()
                    .replace("Failed to parse cron expression. ", "")
                    .replace("Failed to parse '" + s + "'. ", "");
            throw new IllegalArgumentException("invalid cron expression '" + s + "': " + reason);
        }
    }
}
