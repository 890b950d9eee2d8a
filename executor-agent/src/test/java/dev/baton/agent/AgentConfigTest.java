package dev.baton.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "localhost:9092");
        m.put("schema.registry.url", "http://localhost:8081");
        return m;
    }

    @Test
    void defaults() {
        AgentConfig c = AgentConfig.of(base());
        assertThat(c.pools()).containsExactly("default");
        assertThat(c.slots()).isEqualTo(4);
        assertThat(c.maxDeliveries()).isEqualTo(4);
        assertThat(c.outputMaxBytes()).isEqualTo(65536);
        assertThat(c.shutdownGrace().toMillis()).isEqualTo(30_000);
        assertThat(c.agentId()).endsWith("-" + ProcessHandle.current().pid());
        assertThat(c.workDir().toString()).contains("baton-agent-");
        assertThat(c.pluginDir()).isEmpty();
        assertThat(c.pollMaxRecords()).isEqualTo(1);
        assertThat(c.reportLingerMs()).as("reports are sent at once unless asked").isZero();
    }

    @Test
    void pollBatchNeverExceedsSlots() {
        var m = base();
        m.put(AgentConfig.SLOTS, "2");
        m.put(AgentConfig.POLL_MAX_RECORDS, "8");
        assertThat(AgentConfig.of(m).pollMaxRecords()).isEqualTo(2);
    }

    @Test
    void invalidValuesFailNamingTheKey() {
        var m = base();
        m.put(AgentConfig.POOLS, "ok,not/ok");
        assertThatThrownBy(() -> AgentConfig.of(m)).isInstanceOf(ConfigException.class).hasMessageContaining("agent.pools");
        var m2 = base();
        m2.put(AgentConfig.SLOTS, "0");
        assertThatThrownBy(() -> AgentConfig.of(m2)).isInstanceOf(ConfigException.class).hasMessageContaining("agent.slots");
        var m3 = base();
        m3.put(AgentConfig.REPORT_LINGER_MS, "101");
        assertThatThrownBy(() -> AgentConfig.of(m3)).isInstanceOf(ConfigException.class).hasMessageContaining("agent.report.linger.ms");
    }

    @Test
    void secretsAreHiddenInTheDescription() {
        var m = base();
        m.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"s3cret\";");
        m.put("kafka.ssl.keystore.password", "s3cret");
        AgentConfig c = AgentConfig.of(m);
        assertThat(c.toString()).doesNotContain("s3cret").contains("kafka.sasl.jaas.config");
        assertThat(c.kafkaClient()).containsEntry("ssl.keystore.password", "s3cret");
    }

    @Test
    void secretProvidersDefaultToTheEnvironmentAndBadSettingsFailNamingTheKey() {
        try (var chain = Agent.secretProviders(AgentConfig.of(base()))) {
            assertThat(chain.names()).isEqualTo("env");
        }
        var unknown = base();
        unknown.put(AgentConfig.SECRETS_PROVIDERS, "env,aws");
        assertThatThrownBy(() -> Agent.secretProviders(AgentConfig.of(unknown))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("agent.secrets.providers").hasMessageContaining("unknown secret provider 'aws'");
        var noDir = base();
        noDir.put(AgentConfig.SECRETS_PROVIDERS, "file");
        assertThatThrownBy(() -> Agent.secretProviders(AgentConfig.of(noDir))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("agent.secrets.file.dir");
        var noToken = base();
        noToken.put(AgentConfig.SECRETS_PROVIDERS, "vault");
        noToken.put(AgentConfig.SECRETS_VAULT_ADDRESS, "http://127.0.0.1:8200");
        assertThatThrownBy(() -> Agent.secretProviders(AgentConfig.of(noToken))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'token' or 'token.file'");
    }

    @Test
    void vaultSettingsReachTheProviderWithDefaultsAndTheTokenStaysHidden() {
        var m = base();
        m.put(AgentConfig.SECRETS_PROVIDERS, "vault");
        m.put(AgentConfig.SECRETS_VAULT_ADDRESS, "http://127.0.0.1:8200");
        m.put(AgentConfig.SECRETS_VAULT_TOKEN, "hvs.s3cret");
        m.put("agent.secrets.custom.region", "eu");
        AgentConfig c = AgentConfig.of(m);
        assertThat(c.secretProviderSettings("vault")).containsEntry("address", "http://127.0.0.1:8200")
                .containsEntry("token", "hvs.s3cret").containsEntry("mount", "secret").containsEntry("path", "baton")
                .containsEntry("timeout.ms", "10000");
        assertThat(c.secretProviderSettings("custom")).containsExactlyEntriesOf(Map.of("region", "eu"));
        assertThat(c.toString()).doesNotContain("hvs.s3cret");
        assertThat(c.secretsMissingRetryable()).isFalse();
        try (var chain = Agent.secretProviders(c)) {
            assertThat(chain.names()).isEqualTo("vault");
            assertThat(chain.toString()).doesNotContain("hvs.s3cret");
        }
    }
}
