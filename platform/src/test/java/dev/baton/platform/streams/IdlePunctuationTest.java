package dev.baton.platform.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The punctuation runs every interval while work is due soon, sleeps until due work otherwise, and an input wakes it. */
class IdlePunctuationTest {
    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static final Duration MAX_SLEEP = Duration.ofSeconds(60);

    /** Wall-clock times (ms since START) at which the work ran. */
    private final List<Long> runs = new ArrayList<>();
    /** What the work reports as its next due time, relative to START; null: none. */
    private Long nextDue;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> in;

    /** Input "wake" wakes the punctuation; "due:N" also makes work due at START + N ms. */
    private final class Worker implements Processor<String, String, Void, Void> {
        private IdlePunctuation punctuation;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            punctuation = IdlePunctuation.schedule(context, INTERVAL, MAX_SLEEP, now -> {
                runs.add(now - START.toEpochMilli());
                return nextDue == null ? IdlePunctuation.NONE : START.toEpochMilli() + nextDue;
            });
        }

        @Override
        public void process(Record<String, String> rec) {
            if (rec.value().startsWith("by:")) { // work armed due then: wake only if the punctuation sleeps past it
                long due = Long.parseLong(rec.value().substring(3));
                nextDue = nextDue == null ? due : Math.min(nextDue, due);
                punctuation.wakeBy(START.toEpochMilli() + due);
                return;
            }
            if (rec.value().startsWith("due:")) {
                nextDue = Long.parseLong(rec.value().substring(4));
            }
            punctuation.wake();
        }
    }

    @BeforeEach
    void start() {
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), new StringDeserializer(), "in");
        t.addProcessor("worker", Worker::new, "in");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "idle-punctuation-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        driver = new TopologyTestDriver(t, p, START);
        in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void advance(long ms, long step) {
        for (long done = 0; done < ms; done += step) {
            driver.advanceWallClockTime(Duration.ofMillis(step));
        }
    }

    @Test
    void withNothingDueItRunsOnceThenSleepsUntilTheLongestSleep() {
        advance(59_950, 50);
        assertThat(runs).containsExactly(50L);
        advance(100, 50);
        assertThat(runs).containsExactly(50L, 60_050L);
    }

    @Test
    void workDueLaterRunsAtItsDueTimeNotEveryInterval() {
        nextDue = 10_000L;
        advance(10_000, 50);
        assertThat(runs).containsExactly(50L, 10_000L);
    }

    @Test
    void workDueNowKeepsTheShortInterval() {
        nextDue = 0L;
        advance(500, 50);
        assertThat(runs).hasSize(10);
    }

    @Test
    void anInputWakesASleepingPunctuationBackToTheInterval() {
        advance(1_000, 50);
        assertThat(runs).containsExactly(50L);
        in.pipeInput("k", "due:1200", START.toEpochMilli() + 1_000);
        advance(50, 50);
        assertThat(runs).containsExactly(50L, 1_050L);
        advance(150, 50);
        assertThat(runs).containsExactly(50L, 1_050L, 1_200L);
        nextDue = null; // one more pass at the interval finds nothing due, then it sleeps again
        advance(5_000, 50);
        assertThat(runs).containsExactly(50L, 1_050L, 1_200L, 1_250L);
    }

    @Test
    void wakeByWakesOnlyForWorkDueBeforeTheNextRun() {
        nextDue = 10_000L;
        advance(1_000, 50);
        assertThat(runs).containsExactly(50L);
        in.pipeInput("k", "by:20000", START.toEpochMilli() + 1_000); // after the next run (10 s): no extra run
        advance(1_000, 50);
        assertThat(runs).containsExactly(50L);
        in.pipeInput("k", "by:2500", START.toEpochMilli() + 2_000); // before it: back to the interval
        advance(50, 50);
        assertThat(runs).containsExactly(50L, 2_050L);
        advance(450, 50);
        assertThat(runs).containsExactly(50L, 2_050L, 2_500L);
    }
}
