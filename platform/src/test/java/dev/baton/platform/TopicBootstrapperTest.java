package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicBootstrapperTest {
    @TempDir static Path dir;
    static EmbeddedKafkaBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void createsEveryStandardTopicOnceWithItsConfiguration() throws Exception {
        Topics topics = new Topics("boot.");
        var specs = topics.standard(TopicDefaults.SINGLE_MACHINE);
        var bootstrapper = new TopicBootstrapper(admin);

        assertThat(bootstrapper.ensure(specs)).hasSize(specs.size());
        assertThat(bootstrapper.ensure(specs)).as("second run creates nothing").isEmpty();

        assertThat(admin.listTopics().names().get()).contains(topics.runEvents(), topics.jobs(), topics.deadLetters());
        assertThat(bootstrapper.partitions(topics.runRequests())).isEqualTo(3);
        assertThat(bootstrapper.partitions(topics.agentReports()))
                .as("coordinator inputs are co-partitioned").isEqualTo(bootstrapper.partitions(topics.runRequests()));
        assertThat(bootstrapper.partitions(topics.jobRegistrations())).as("registrations are decided in one order").isEqualTo(1);
        assertThat(bootstrapper.partitions(topics.jobRegistrationResults())).isEqualTo(1);

        var jobs = new ConfigResource(ConfigResource.Type.TOPIC, topics.jobs());
        var events = new ConfigResource(ConfigResource.Type.TOPIC, topics.runEvents());
        var configs = admin.describeConfigs(List.of(jobs, events)).all().get();
        assertThat(configs.get(jobs).get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(configs.get(events).get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(configs.get(events).get("retention.ms").value()).isEqualTo("-1");
    }

    @Test
    void createsPoolCommandTopicsAndRejectsInvalidPoolNames() throws Exception {
        Topics topics = new Topics("pools.");
        new TopicBootstrapper(admin).ensure(topics.pools(List.of("eu-west", "gpu.large"), TopicDefaults.SINGLE_MACHINE));
        assertThat(admin.listTopics().names().get()).contains("pools.commands.eu-west", "pools.commands.gpu.large");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> topics.commands("bad pool"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad pool");
    }
}
