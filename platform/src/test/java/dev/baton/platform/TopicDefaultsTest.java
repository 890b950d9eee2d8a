package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the replication settings follow the cluster's size (topic.replication.factor / topic.min.insync.replicas = 0). */
class TopicDefaultsTest {
    static final TopicDefaults AUTO = new TopicDefaults(3, 1, TopicDefaults.AUTO, 1000, -1, TopicDefaults.AUTO);

    @Test
    void autoReplicationIsMinOfThreeAndTheBrokersWithMinInsyncTwoFromThreeReplicas() {
        assertThat(AUTO.forCluster(1).replicationFactor()).isEqualTo((short) 1);
        assertThat(AUTO.forCluster(1).topicConfigs()).isEmpty();
        assertThat(AUTO.forCluster(2).replicationFactor()).isEqualTo((short) 2);
        assertThat(AUTO.forCluster(2).topicConfigs()).isEmpty();
        TopicDefaults five = AUTO.forCluster(5);
        assertThat(five.replicationFactor()).isEqualTo((short) 3);
        assertThat(five.topicConfigs()).containsExactly(Map.entry("min.insync.replicas", "2"));
        assertThat(five.streamsSettings()).containsEntry("replication.factor", 3).containsEntry("topic.min.insync.replicas", "2");
    }

    @Test
    void explicitSettingsWinAndAnImpossibleMinInsyncIsRefused() {
        TopicDefaults one = new TopicDefaults(3, 1, (short) 1, 1000, -1, TopicDefaults.AUTO).forCluster(0);
        assertThat(one.replicationFactor()).isEqualTo((short) 1);
        assertThat(one.topicConfigs()).isEmpty();
        TopicDefaults custom = new TopicDefaults(3, 1, (short) 3, 1000, -1, (short) 3).forCluster(0);
        assertThat(custom.topicConfigs()).containsExactly(Map.entry("min.insync.replicas", "3"));
        assertThat(new TopicDefaults(3, 1, (short) -1, 1000, -1, TopicDefaults.AUTO).forCluster(0).topicConfigs()).isEmpty();
        assertThatThrownBy(() -> new TopicDefaults(3, 1, (short) 2, 1000, -1, (short) 3).forCluster(0))
                .hasMessageContaining("larger than the replication factor");
        assertThat(AUTO.streamsSettings()).as("unresolved: the broker default").containsExactly(Map.entry("replication.factor", -1));
    }
}
