package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.platform.secrets.EnvironmentSecretProvider;
import dev.baton.platform.secrets.FileSecretProvider;
import dev.baton.platform.secrets.SecretProviders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook secrets come from the same providers as the agents' step secrets. */
class SecretsSourcesTest {
    @Test
    void theEnvironmentSourceUsesTheSharedSpelling() {
        Secrets s = Secrets.fromEnvironment(Map.of("BATON_SECRET_HOOK", "h", "BATON_SECRET_EMPTY", ""));
        assertThat(s.value("HOOK")).contains("h");
        assertThat(s.value("EMPTY")).isEmpty();
        assertThat(s.describe("HOOK")).isEqualTo("environment variable BATON_SECRET_HOOK");
        assertThat(Secrets.ENV_PREFIX).isEqualTo(EnvironmentSecretProvider.PREFIX);
    }

    @Test
    void platformProvidersCanBackTheGatewaysSecrets(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("HOOK"), "from-file\n");
        Secrets s = Secrets.from(new SecretProviders(List.of(new EnvironmentSecretProvider(Map.of()), new FileSecretProvider(dir))));
        assertThat(s.value("HOOK")).contains("from-file");
        assertThat(s.value("OTHER")).isEmpty();
        assertThat(s.describe("OTHER")).contains("BATON_SECRET_OTHER").contains(dir.resolve("OTHER").toString());
        assertThat(s.toString()).doesNotContain("from-file");
    }
}
