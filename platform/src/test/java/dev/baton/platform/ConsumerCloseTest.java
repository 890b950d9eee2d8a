package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.junit.jupiter.api.Test;

class ConsumerCloseTest {

    @Test
    void capsTheTimeoutAndKeepsTheGroupMembershipOperation() {
        CloseOptions streams = ConsumerClose.bounded(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP));
        assertThat(streams.timeout()).contains(ConsumerClose.BOUND);
        assertThat(streams.groupMembershipOperation()).isEqualTo(GroupMembershipOperation.LEAVE_GROUP);

        CloseOptions longer = ConsumerClose.bounded(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(GroupMembershipOperation.REMAIN_IN_GROUP));
        assertThat(longer.timeout()).contains(ConsumerClose.BOUND);
        assertThat(longer.groupMembershipOperation()).isEqualTo(GroupMembershipOperation.REMAIN_IN_GROUP);

        assertThat(ConsumerClose.bounded(CloseOptions.timeout(Duration.ZERO)).timeout()).contains(Duration.ZERO);
        assertThat(ConsumerClose.bounded(Duration.ofSeconds(30))).isEqualTo(ConsumerClose.BOUND);
        assertThat(ConsumerClose.bounded(Duration.ofMillis(10))).isEqualTo(Duration.ofMillis(10));
    }
}
