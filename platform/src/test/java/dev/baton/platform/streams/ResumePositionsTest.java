package dev.baton.platform.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** Resumed partitions get their positions before the next poll; what cannot be had in time is left to that poll. */
class ResumePositionsTest {
    private static final TopicPartition COMMITTED = new TopicPartition("requests", 0);
    private static final TopicPartition EMPTY = new TopicPartition("control", 0);
    private static final TopicPartition REVOKED = new TopicPartition("reports", 0);
    private static final Duration BOUND = Duration.ofSeconds(5);

    @Test
    void resumedPartitionsArePositionedFromTheirCommittedOffsetOrTheReset() {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
        c.assign(List.of(COMMITTED, EMPTY));
        c.updateBeginningOffsets(Map.of(COMMITTED, 0L, EMPTY, 7L));
        c.commitSync(Map.of(COMMITTED, new OffsetAndMetadata(42)));
        c.pause(List.of(COMMITTED, EMPTY));

        // A partition revoked meanwhile is skipped (position() would refuse it).
        c.resume(List.of(COMMITTED, EMPTY));
        ResumePositions.await(c, List.of(COMMITTED, EMPTY, REVOKED), BOUND);

        assertThat(c.position(COMMITTED, Duration.ZERO)).isEqualTo(42);
        assertThat(c.position(EMPTY, Duration.ZERO)).isEqualTo(7);
    }

    @Test
    void noOffsetAndNoResetPolicyIsLeftToThePollThatReportsItToStreams() {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("none");
        c.assign(List.of(EMPTY));

        ResumePositions.await(c, List.of(EMPTY), BOUND); // no exception: Streams' poll resets such partitions
    }

    @Test
    void aTimeoutEndsTheWaitAndTheRestIsLeftToTheNextPoll() {
        List<TopicPartition> asked = new ArrayList<>();
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest") {
            @Override
            public synchronized long position(TopicPartition partition, Duration timeout) {
                asked.add(partition);
                throw new TimeoutException("no answer");
            }
        };
        c.assign(List.of(COMMITTED, EMPTY));

        ResumePositions.await(c, List.of(COMMITTED, EMPTY), BOUND);

        assertThat(asked).containsExactly(COMMITTED);
    }

    @Test
    void nothingIsAskedWithoutABound() {
        List<TopicPartition> asked = new ArrayList<>();
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest") {
            @Override
            public synchronized long position(TopicPartition partition, Duration timeout) {
                asked.add(partition);
                return 0;
            }

            @Override
            public synchronized Set<TopicPartition> assignment() {
                return Set.of(COMMITTED);
            }
        };

        ResumePositions.await(c, List.of(COMMITTED), Duration.ZERO);

        assertThat(asked).isEmpty();
    }

    @Test
    void theBoundIsTheConsumersFetchWait() {
        assertThat(ResumePositions.bound(Map.of())).isEqualTo(Duration.ofMillis(500));
        assertThat(ResumePositions.bound(Map.of("fetch.max.wait.ms", 10))).isEqualTo(Duration.ofMillis(10));
        assertThat(ResumePositions.bound(Map.of("fetch.max.wait.ms", "250"))).isEqualTo(Duration.ofMillis(250));
    }
}
