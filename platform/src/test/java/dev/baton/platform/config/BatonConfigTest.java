package dev.baton.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatonConfigTest {

    @Test
    void consumersFetchWaitIsTheKafkaPassThroughsElse500() {
        var dflt = BatonConfig.of(Map.of("bootstrap.servers", "k:9092", "schema.registry.url", "http://r"));
        assertThat(BatonConfig.fetchMaxWaitMs(dflt.kafkaClient())).isEqualTo(500);
        var set = BatonConfig.of(Map.of("bootstrap.servers", "k:9092", "schema.registry.url", "http://r",
                "kafka.fetch.max.wait.ms", "5000"));
        assertThat(BatonConfig.fetchMaxWaitMs(set.kafkaClient())).isEqualTo("5000");
    }

    @Test
    void missingBootstrapServersFailsNamingTheKey() {
        assertThatThrownBy(() -> BatonConfig.of(Map.of("schema.registry.url", "http://r")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bootstrap.servers");
    }

    @Test
    void invalidValueFailsNamingTheKey() {
        assertThatThrownBy(() -> BatonConfig.of(Map.of("bootstrap.servers", "k:9092",
                "schema.registry.url", "http://r", "topic.partitions", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topic.partitions");
    }

    @Test
    void kafkaAndRegistrySettingsPassThroughAndSecretsStayHidden() {
        var c = BatonConfig.of(Map.of(
                "bootstrap.servers", "k1:9092,k2:9092",
                "schema.registry.url", "https://r:8081",
                "basic.auth.user.info", "u:p",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"s3cret\";",
                "topic.prefix", "acme."));
        assertThat(c.topics().runEvents()).isEqualTo("acme.run-events");
        assertThat(c.kafkaClient()).containsEntry("bootstrap.servers", "k1:9092,k2:9092")
                .containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");
        assertThat(c.registry()).as("the serde always gets the validated URL").containsEntry("schema.registry.url", "https://r:8081")
                .containsEntry("basic.auth.user.info", "u:p");
        assertThat(c.toString()).doesNotContain("s3cret").doesNotContain("u:p").contains(Secrets.HIDDEN);
    }

    @Test
    void laterSourcesWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("baton.properties");
        Files.writeString(file, "topic.prefix=file.\nbootstrap.servers=file:9092\n");
        var merged = new ConfigSources()
                .defaults(Map.of("topic.prefix", "default.", "schema.registry.url", "http://r"))
                .file(file)
                .env(Map.of("BATON_TOPIC_PREFIX", "env.", "PATH", "/bin", "BATON_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"))
                .overrides(Map.of("bootstrap.servers", "flag:9092"))
                .toMap();
        var c = BatonConfig.of(merged);
        assertThat(c.topics().prefix()).isEqualTo("env.");
        assertThat(c.bootstrapServers()).isEqualTo("flag:9092");
        assertThat(c.kafkaClient()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(merged).doesNotContainKey("path");
    }

    @Test
    void secretValuesInTheEnvironmentAreNotSettings() {
        var merged = new ConfigSources()
                .env(Map.of("BATON_SECRET_DB_PASSWORD", "s3cr3t", "BATON_AGENT_SECRETS_PROVIDERS", "env,file"))
                .toMap();
        assertThat(merged).containsEntry("agent.secrets.providers", "env,file").doesNotContainKey("secret.db.password");
        assertThat(merged.values()).doesNotContain("s3cr3t");
    }

    @Test
    void aComponentDefinitionCanBeBoundManyTimes() {
        var def = new org.apache.kafka.common.config.ConfigDef().define("x.y", org.apache.kafka.common.config.ConfigDef.Type.INT, 1,
                org.apache.kafka.common.config.ConfigDef.Importance.LOW, "doc");
        class Component extends BatonConfig {
            Component(Map<String, ?> raw) { super(def, raw); }
        }
        Map<String, Object> raw = Map.of("bootstrap.servers", "k:1", "schema.registry.url", "http://r", "x.y", "7");
        assertThat(new Component(raw).getInt("x.y")).isEqualTo(7);
        assertThat(new Component(raw).getInt("x.y")).isEqualTo(7);
    }
}
