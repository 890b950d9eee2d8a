package dev.baton.platform.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Records of a long poll and of the poll that took its late wakeup back are both returned, in order. */
class IdlePollClientSupplierTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void mergeKeepsEveryRecordInOrderAndTheLaterNextOffsets() {
        ConsumerRecords<byte[], byte[]> a = records(Map.of(P0, List.of(record(P0, 5), record(P0, 6))), Map.of(P0, 7L));
        ConsumerRecords<byte[], byte[]> b = records(Map.of(P0, List.of(record(P0, 7)), P1, List.of(record(P1, 0))),
                Map.of(P0, 8L, P1, 1L));
        ConsumerRecords<byte[], byte[]> m = IdlePollClientSupplier.merge(a, b);
        assertThat(m.records(P0)).extracting(ConsumerRecord::offset).containsExactly(5L, 6L, 7L);
        assertThat(m.records(P1)).extracting(ConsumerRecord::offset).containsExactly(0L);
        assertThat(m.nextOffsets()).containsEntry(P0, new OffsetAndMetadata(8L, Optional.empty(), ""))
                .containsEntry(P1, new OffsetAndMetadata(1L, Optional.empty(), ""));
    }

    @Test
    void mergeWithNothingIsTheOther() {
        ConsumerRecords<byte[], byte[]> a = records(Map.of(P0, List.of(record(P0, 5))), Map.of(P0, 6L));
        assertThat(IdlePollClientSupplier.merge(a, ConsumerRecords.empty())).isSameAs(a);
        assertThat(IdlePollClientSupplier.merge(ConsumerRecords.empty(), a)).isSameAs(a);
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, new byte[0], new byte[0]);
    }

    private static ConsumerRecords<byte[], byte[]> records(Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> records,
            Map<TopicPartition, Long> next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new java.util.HashMap<>();
        next.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o, Optional.empty(), "")));
        return new ConsumerRecords<>(records, offsets);
    }
}
