package dev.baton.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class StartupTimelineTest {
    final TopicPartition runs0 = new TopicPartition("baton.coordinator-runs-changelog", 0);
    final TopicPartition runs1 = new TopicPartition("baton.coordinator-runs-changelog", 1);

    @Test
    void countsTheRestoresBeforeRunningAndNotTheOnesAfter() {
        StartupTimeline t = new StartupTimeline();
        assertThat(t.describe()).contains("running - after start").contains("nothing restored");
        t.markTopicsReady();
        t.markCreated();
        t.markStarted();
        t.markStartReturned();
        assertThat(t.startReturned()).isGreaterThanOrEqualTo(t.started()).isGreaterThanOrEqualTo(t.created())
                .isGreaterThanOrEqualTo(t.topicsReady()).isGreaterThanOrEqualTo(t.begin());

        t.onStateChange(KafkaStreams.State.REBALANCING);
        t.onRestoreStart(runs0, "runs", 0, 100);
        t.onRestoreStart(runs1, "runs", 0, 50);
        t.onRestoreEnd(runs0, "runs", 100);
        t.onRestoreEnd(runs1, "runs", 50);
        assertThat(t.running()).isZero();
        t.onStateChange(KafkaStreams.State.RUNNING);

        assertThat(t.restoredRecords()).isEqualTo(150);
        assertThat(t.restoredPartitions()).isEqualTo(2);
        assertThat(t.restoreStart()).isBetween(t.started(), t.restoreEnd());
        assertThat(t.running()).isGreaterThanOrEqualTo(t.restoreEnd());
        assertThat(t.describe()).contains("restore of 150 records from 2 changelog partitions");

        // a later rebalance's restore is not part of the start
        long running = t.running();
        t.onStateChange(KafkaStreams.State.REBALANCING);
        t.onRestoreStart(runs0, "runs", 100, 120);
        t.onRestoreEnd(runs0, "runs", 20);
        t.onStateChange(KafkaStreams.State.RUNNING);
        assertThat(t.restoredRecords()).isEqualTo(150);
        assertThat(t.running()).isEqualTo(running);
    }
}
