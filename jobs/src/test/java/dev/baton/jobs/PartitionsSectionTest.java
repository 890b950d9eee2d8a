package dev.baton.jobs;

import static dev.baton.jobs.TestJobs.parse;
import static dev.baton.jobs.TestJobs.problem;
import static dev.baton.jobs.TestJobs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.DynamicPartitions;
import dev.baton.events.JobDefinition;
import dev.baton.events.PartitionDimension;
import dev.baton.events.PartitionGranularity;
import dev.baton.events.PartitionsSpec;
import dev.baton.events.StaticPartitions;
import dev.baton.events.TimePartitions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job-level {@code partitions} section: time windows, static lists, two dimensions, and the partition.* templates. */
class PartitionsSectionTest {
    private static final String STEPS = "steps: [{key: a, noop: true}]\n";

    /** The job of issue 15, as written there. */
    static final String DAILY_SALES = """
            name: daily_sales
            partitions:
              daily: { start: "2026-01-01", timezone: Europe/Berlin }
            steps:
              - key: load
                run: echo "loading ${{ partition.key }} from ${{ partition.start }} to ${{ partition.end }}"
                produces: [sales]
            """;

    @Test
    void noSectionMeansNotPartitioned() {
        assertThat(parse("name: x\n" + STEPS).getPartitions()).isNull();
    }

    @Test
    void theIssuesDailySalesJobParses() {
        JobDefinition job = parse(DAILY_SALES);
        assertThat(job.getPartitions()).isEqualTo(new PartitionsSpec(List.of(new PartitionDimension("daily",
                new TimePartitions(PartitionGranularity.DAILY, "2026-01-01T00:00", null, "Europe/Berlin", 0L)))));
    }

    @Test
    void everyOptionOfATimeWindow() {
        JobDefinition job = parse("name: x\npartitions:\n  hourly: {start: 2026-01-01T06:00, end: '2026-02-01', timezone: America/New_York,"
                + " offset: 15m}\n" + STEPS);
        assertThat(job.getPartitions().getDimensions().get(0).getKind()).isEqualTo(
                new TimePartitions(PartitionGranularity.HOURLY, "2026-01-01T06:00", "2026-02-01T00:00", "America/New_York", 900_000L));
    }

    @Test
    void staticKeysAndTwoDimensions() {
        assertThat(parse("name: x\npartitions: {static: [eu, us]}\n" + STEPS).getPartitions().getDimensions())
                .containsExactly(new PartitionDimension("static", new StaticPartitions(List.of("eu", "us"))));
        JobDefinition two = parse("""
                name: x
                partitions:
                  dimensions:
                    date: {weekly: {start: "2026-01-05"}}
                    region: {static: [eu, us]}
                steps:
                  - key: a
                    run: echo ${{ partition.key }} ${{ partition.date.start }} ${{ partition.region.key }} ${{ partition.end }}
                """);
        assertThat(two.getPartitions().getDimensions()).extracting(PartitionDimension::getName).containsExactly("date", "region");
    }

    @Test
    void writerRoundTrip() {
        String yaml = "name: x\npartitions:\n  dimensions:\n    date: {daily: {start: \"2026-01-01\", end: \"2027-01-01\","
                + " timezone: Europe/Berlin, offset: 6h}}\n    region: {static: [eu, us]}\n" + STEPS;
        JobDefinition job = parse(yaml);
        JobDefinition again = parse(JobWriter.toYaml(job));
        assertThat(again.getPartitions()).isEqualTo(job.getPartitions());
    }

    @Test
    void problemsNameTheirPaths() {
        assertThat(problems("name: x\npartitions: {daily: {timezone: Europe/Berlln}}\n" + STEPS)).containsExactly(
                problem("partitions.daily.timezone", "'Europe/Berlln' is not an IANA time zone (e.g. Europe/Berlin, UTC);"
                        + " did you mean 'Europe/Berlin'?"),
                problem("partitions.daily.start", "is required (the first window's date, e.g. \"2026-01-01\")"));
        assertThat(problems("name: x\npartitions: {daily: {start: soon}}\n" + STEPS)).containsExactly(
                problem("partitions.daily.start", "'soon' is not a local date or time; use 2026-01-01 or 2026-01-01T06:00"
                        + " (in the partitions' time zone)"));
        assertThat(problems("name: x\npartitions: {daily: {start: '2026-01-01', end: '2025-01-01'}}\n" + STEPS)).containsExactly(
                problem("partitions.daily.end", "must be after start (2026-01-01T00:00)"));
        assertThat(problems("name: x\npartitions: {daily: {start: '2026-01-01', offset: 1d}}\n" + STEPS)).containsExactly(
                problem("partitions.daily.offset", "must be less than 24h for daily partitions (got 24h)"));
        assertThat(problems("name: x\npartitions: {daily: {start: '2026-01-01', every: 1d}}\n" + STEPS)).singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("partitions.daily.every"));
    }

    @Test
    void oneKindOrDimensions() {
        assertThat(problems("name: x\npartitions: {daily: {start: '2026-01-01'}, static: [a]}\n" + STEPS)).containsExactly(
                problem("partitions", "has one kind of partitions, got daily and static; for two dimensions use"
                        + " dimensions: {<name>: {...}, <name>: {...}}"));
        assertThat(problems("name: x\npartitions: {yearly: {start: '2026-01-01'}}\n" + STEPS)).containsExactly(
                problem("partitions.yearly", "unknown key 'yearly'; expected one of hourly, daily, weekly, monthly, static, dynamic,"
                        + " dimensions"),
                problem("partitions", "needs one of hourly, daily, weekly, monthly, static, dynamic, dimensions"));
        assertThat(problems("name: x\npartitions: {dimensions: {date: {daily: {start: '2026-01-01'}}}}\n" + STEPS))
                .containsExactly(problem("partitions.dimensions", "needs exactly 2 dimensions (got 1)"));
        assertThat(problems("name: x\npartitions: {dimensions: {a: {daily: {start: '2026-01-01'}}, b: {hourly: {start: '2026-01-01'}}}}\n"
                + STEPS)).containsExactly(problem("partitions.dimensions", "at most one dimension can be a time window"));
        assertThat(problems("name: x\npartitions: {dimensions: {key: {static: [a]}, b: {static: [c]}}}\n" + STEPS))
                .containsExactly(problem("partitions.dimensions.key", "'key' is not a valid dimension name (an identifier"
                        + " other than key, start and end)"));
    }

    @Test
    void staticKeysAreChecked() {
        assertThat(problems("name: x\npartitions: {static: [eu, 'a|b', eu]}\n" + STEPS)).containsExactly(
                problem("partitions.static[2]", "'eu' is listed twice"),
                problem("partitions.static[1]", "'a|b' is not a valid partition key (letters, digits and _ . : @ + = -,"
                        + " not starting with a symbol, at most 100 characters)"));
        assertThat(problems("name: x\npartitions: {static: []}\n" + STEPS)).containsExactly(
                problem("partitions.static", "needs at least one key"));
    }

    @Test
    void partitionTemplatesAreCheckedAgainstTheDeclaredPartitions() {
        assertThat(problems("name: x\nsteps: [{key: a, run: 'echo ${{ partition.key }}'}]\n")).containsExactly(
                problem("steps[0].run", "${{ partition.key }}: the job has no partitions; declare them under partitions"));
        assertThat(problems("name: x\npartitions: {static: [eu]}\nsteps: [{key: a, run: 'echo ${{ partition.start }}'}]\n"))
                .containsExactly(problem("steps[0].run", "${{ partition.start }}: the job's partitions have no time window,"
                        + " so no partition.start"));
        assertThat(problems("name: x\npartitions: {dimensions: {date: {daily: {start: '2026-01-01'}}, region: {static: [eu]}}}\n"
                + "steps: [{key: a, run: 'echo ${{ partition.regoin.key }} ${{ partition.region.end }}'}]\n")).containsExactly(
                problem("steps[0].run", "${{ partition.regoin.key }}: unknown partition dimension 'regoin'; the dimensions"
                        + " are date, region"),
                problem("steps[0].run", "${{ partition.region.end }}: dimension 'region' is a static list: its partitions"
                        + " have no end"));
        assertThat(problems("name: x\npartitions: {daily: {start: '2026-01-01'}}\nsteps: [{key: a, run: 'echo ${{ partition.day }}'}]\n"))
                .containsExactly(problem("steps[0].run", "${{ partition.day }}: expected partition.key, partition.start,"
                        + " partition.end or partition.<dimension>.key|start|end"));
    }

    @Test
    void templatesResolveFromThePartition() {
        JobDefinition job = parse(DAILY_SALES);
        Partition p = PartitionSet.of(job).orElseThrow().partition("2026-03-29");
        String script = ((dev.baton.events.RunAction) Templates.resolveStep(job.getSteps().get(0),
                TemplateContext.builder().partition(p).build()).getAction()).getScript();
        assertThat(script).isEqualTo("echo \"loading 2026-03-29 from 2026-03-29T00:00+01:00 to 2026-03-30T00:00+02:00\"");
    }

    @Test
    void aDynamicSetAloneOrAsADimension() {
        JobDefinition one = parse("name: x\npartitions:\n  dynamic: {name: customers}\n"
                + "steps: [{key: a, run: 'echo ${{ partition.key }}'}]\n");
        assertThat(one.getPartitions().getDimensions())
                .containsExactly(new PartitionDimension("dynamic", new DynamicPartitions("customers")));
        assertThat(parse(JobWriter.toYaml(one)).getPartitions()).isEqualTo(one.getPartitions());
        JobDefinition two = parse("""
                name: x
                partitions:
                  dimensions:
                    date: {daily: {start: "2026-01-01"}}
                    customer: {dynamic: {name: customers}}
                steps:
                  - key: a
                    run: echo ${{ partition.customer.key }} ${{ partition.date.start }} ${{ partition.start }}
                """);
        assertThat(two.getPartitions().getDimensions()).extracting(PartitionDimension::getName).containsExactly("date", "customer");
        assertThat(two.getPartitions().getDimensions().get(1).getKind()).isEqualTo(new DynamicPartitions("customers"));
        assertThat(parse(JobWriter.toYaml(two)).getPartitions()).isEqualTo(two.getPartitions());
    }

    @Test
    void dynamicSetProblemsNameTheirPaths() {
        assertThat(problems("name: x\npartitions: {dynamic: {}}\n" + STEPS)).containsExactly(
                problem("partitions.dynamic.name", "is required (the dynamic partition set's name, e.g. customers)"));
        assertThat(problems("name: x\npartitions: {dynamic: {name: 'a/b'}}\n" + STEPS)).containsExactly(
                problem("partitions.dynamic.name", "'a/b' is not a valid dynamic partition set name (letters, digits and"
                        + " _ . -, not starting with . or -, at most 100 characters)"));
        assertThat(problems("name: x\npartitions: {dynamic: {name: c, keys: [a]}}\n" + STEPS)).singleElement()
                .satisfies(p -> assertThat(p.path()).isEqualTo("partitions.dynamic.keys"));
        assertThat(problems("name: x\npartitions: {dynamic: {name: c}}\nsteps: [{key: a, run: 'echo ${{ partition.start }}'}]\n"))
                .containsExactly(problem("steps[0].run", "${{ partition.start }}: the job's partitions have no time window,"
                        + " so no partition.start"));
        assertThat(problems("name: x\npartitions: {dimensions: {date: {daily: {start: '2026-01-01'}}, c: {dynamic: {name: c}}}}\n"
                + "steps: [{key: a, run: 'echo ${{ partition.c.end }}'}]\n")).containsExactly(
                problem("steps[0].run", "${{ partition.c.end }}: dimension 'c' is a dynamic set: its partitions have no end"));
    }
}
