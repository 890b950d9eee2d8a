package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up permission check against a broker without an authorizer (every single-machine and test setup): it
 * passes for every kind of need, absent groups and transactional ids included. The refusals, against a broker with
 * ACLs, are proven by the cli module's KafkaSecurityEndToEndTest.
 */
class KafkaAccessTest {
    @TempDir Path dir;

    @Test
    void everythingIsAllowedWithoutAnAuthorizer() {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0, Map.of());
             Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            Topics topics = new Topics("access.");
            new TopicBootstrapper(admin).ensure(topics.standard(TopicDefaults.SINGLE_MACHINE));
            KafkaAccess.require("test", admin, List.of(
                    KafkaAccess.read(topics.runRequests()), KafkaAccess.write(topics.runEvents()),
                    KafkaAccess.read("access.not-created-yet"),
                    new KafkaAccess.Group(topics.applicationId("coordinator")),
                    new KafkaAccess.ShareGroup(topics.agentShareGroup("default")),
                    new KafkaAccess.TransactionalIds(topics.applicationId("coordinator") + "-")));
        }
    }

    @Test
    void anAuthorizationFailureAfterStartIsNotRetried() {
        ThreadRestarts restarts = new ThreadRestarts("stream thread");
        RuntimeException wrapped = new RuntimeException("task failed", new TopicAuthorizationException(Set.of("baton.run-requests")));
        assertThat(restarts.mayReplace(wrapped)).isFalse();
        assertThat(restarts.fatal()).contains("TopicAuthorizationException").contains("baton.run-requests")
                .contains("docs/operations.md#kafka-acls");
        assertThat(KafkaAccess.authorizationFailure(new GroupAuthorizationException("Not authorized", "baton.coordinator")))
                .contains("GroupAuthorizationException").contains("group baton.coordinator");
        assertThat(KafkaAccess.authorizationFailure(new IllegalStateException("broker timeout"))).isNull();
        assertThat(new ThreadRestarts("stream thread").mayReplace(new IllegalStateException("broker timeout"))).isTrue();
    }
}
