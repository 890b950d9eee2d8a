package dev.baton.platform.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.platform.secrets.SecretProviders.Resolution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretProvidersTest {
    @TempDir Path dir;

    @Test
    void environmentProviderReadsBatonSecretVariables() {
        var p = new EnvironmentSecretProvider(Map.of("BATON_SECRET_DB_PASSWORD", "s3cr3t", "BATON_SECRET_EMPTY", "", "DB_PASSWORD", "no"));
        assertThat(p.lookup("DB_PASSWORD")).isEqualTo(new SecretLookup.Found("s3cr3t"));
        assertThat(p.lookup("EMPTY")).isInstanceOf(SecretLookup.Missing.class);
        assertThat(p.lookup("OTHER")).isInstanceOf(SecretLookup.Missing.class);
        assertThat(p.describe("X")).isEqualTo("environment variable BATON_SECRET_X");
        assertThat(new SecretLookup.Found("s3cr3t").toString()).doesNotContain("s3cr3t");
    }

    @Test
    void fileProviderReadsOneFilePerSecretAndFollowsRotationWithoutRestart() throws Exception {
        var p = new FileSecretProvider(dir);
        Files.writeString(dir.resolve("API_TOKEN"), "first\n");
        Files.writeString(dir.resolve("db-password"), "pw-from-k8s");
        assertThat(p.lookup("API_TOKEN")).isEqualTo(new SecretLookup.Found("first"));
        assertThat(p.lookup("DB_PASSWORD")).isEqualTo(new SecretLookup.Found("pw-from-k8s"));
        assertThat(p.lookup("NOPE")).isInstanceOf(SecretLookup.Missing.class);
        assertThat(p.lookup("../etc/passwd")).isInstanceOf(SecretLookup.Missing.class);

        Files.writeString(dir.resolve("API_TOKEN"), "second");
        assertThat(p.lookup("API_TOKEN")).isEqualTo(new SecretLookup.Found("second"));
    }

    @Test
    void fileProviderFollowsAKubernetesStyleAtomicSwapOfTheDataLink() throws Exception {
        // Kubernetes: NAME -> ..data/NAME, ..data -> ..<timestamp>; an update swaps ..data in one rename.
        Path v1 = Files.createDirectory(dir.resolve("..v1"));
        Files.writeString(v1.resolve("TOKEN"), "one");
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
        Files.createSymbolicLink(dir.resolve("TOKEN"), Path.of("..data", "TOKEN"));
        var p = new FileSecretProvider(dir);
        assertThat(p.lookup("TOKEN")).isEqualTo(new SecretLookup.Found("one"));

        Path v2 = Files.createDirectory(dir.resolve("..v2"));
        Files.writeString(v2.resolve("TOKEN"), "two");
        Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(p.lookup("TOKEN")).isEqualTo(new SecretLookup.Found("two"));
    }

    @Test
    void aMissingDirectoryIsAnOutageNotAMissingSecret() {
        assertThat(new FileSecretProvider(dir.resolve("absent")).lookup("X")).isInstanceOf(SecretLookup.Unavailable.class);
    }

    @Test
    void vaultProviderReadsTheKeyOfAKvV2EntryWithItsToken() throws Exception {
        try (FakeVault vault = new FakeVault("root-token")) {
            vault.put("kv", "teams/data", Map.of("DB_PASSWORD", "from-vault", "OTHER", "x"));
            SecretProvider p = new VaultKvSecretProvider.Factory().create(Map.of("address", vault.address(), "token", "root-token",
                    "mount", "kv", "path", "teams/data", "namespace", "ns1"));
            assertThat(p.lookup("DB_PASSWORD")).isEqualTo(new SecretLookup.Found("from-vault"));
            assertThat(p.lookup("ABSENT")).isInstanceOf(SecretLookup.Missing.class);
            assertThat(vault.requests().getFirst()).isEqualTo(new FakeVault.Request("/v1/kv/data/teams/data", "root-token", "ns1"));

            vault.put("kv", "teams/data", Map.of("DB_PASSWORD", "rotated"));
            assertThat(p.lookup("DB_PASSWORD")).isEqualTo(new SecretLookup.Found("rotated"));

            vault.token("another");
            assertThat(p.lookup("DB_PASSWORD")).isInstanceOf(SecretLookup.Denied.class);
            vault.token("root-token");
            vault.failWith(503);
            assertThat(p.lookup("DB_PASSWORD")).isInstanceOf(SecretLookup.Unavailable.class);
            p.close();
        }
    }

    @Test
    void vaultProviderReReadsItsTokenFileAndTreatsAnUnknownEntryAsMissing() throws Exception {
        try (FakeVault vault = new FakeVault("t1")) {
            vault.put("secret", "baton", Map.of("K", "v"));
            Path tokenFile = dir.resolve("token");
            Files.writeString(tokenFile, "t1\n");
            SecretProvider p = new VaultKvSecretProvider.Factory().create(Map.of("address", vault.address() + "/",
                    "token.file", tokenFile.toString()));
            assertThat(p.lookup("K")).isEqualTo(new SecretLookup.Found("v"));
            vault.token("t2");
            Files.writeString(tokenFile, "t2");
            assertThat(p.lookup("K")).isEqualTo(new SecretLookup.Found("v"));

            SecretProvider other = new VaultKvSecretProvider.Factory().create(Map.of("address", vault.address(), "token", "t2",
                    "path", "nothing/here"));
            assertThat(other.lookup("K")).isInstanceOf(SecretLookup.Missing.class);
        }
    }

    @Test
    void anUnreachableVaultIsAnOutage() throws Exception {
        String address;
        try (FakeVault vault = new FakeVault("t")) {
            address = vault.address();
        }
        SecretProvider p = new VaultKvSecretProvider.Factory().create(Map.of("address", address, "token", "t", "timeout.ms", "2000"));
        assertThat(p.lookup("K")).isInstanceOf(SecretLookup.Unavailable.class);
    }

    @Test
    void vaultSettingsAreCheckedAtStart() {
        var f = new VaultKvSecretProvider.Factory();
        assertThatThrownBy(() -> f.create(Map.of("token", "t"))).hasMessageContaining("'address' is required");
        assertThatThrownBy(() -> f.create(Map.of("address", "http://v:8200"))).hasMessageContaining("'token' or 'token.file'");
        assertThatThrownBy(() -> f.create(Map.of("address", "vault", "token", "t"))).hasMessageContaining("is not a URL");
        assertThat(f.create(Map.of("address", "http://v:8200", "token", "hunter2")).toString()).doesNotContain("hunter2");
    }

    @Test
    void theChainAsksProvidersInOrderAndTellsWhereItLookedWhenNoneHasTheSecret() throws Exception {
        Files.writeString(dir.resolve("B"), "from-file");
        Files.writeString(dir.resolve("A"), "shadowed");
        SecretProviders chain = SecretProviders.of(List.of("env", "file"),
                type -> type.equals("file") ? Map.of("dir", dir.toString()) : Map.of(), getClass().getClassLoader());
        // env is the real process environment here: A and B are not set in it.
        assertThat(chain.resolve("B")).isEqualTo(new Resolution.Resolved("from-file", "file"));
        assertThat(chain.names()).isEqualTo("env+file");
        Resolution none = chain.resolve("NOWHERE");
        assertThat(none).isInstanceOf(Resolution.NotFound.class);
        assertThat(((Resolution.NotFound) none).where()).contains("environment variable BATON_SECRET_NOWHERE")
                .contains(dir.resolve("NOWHERE").toString());

        SecretProviders first = new SecretProviders(List.of(new EnvironmentSecretProvider(Map.of("BATON_SECRET_A", "env-a")),
                new FileSecretProvider(dir)));
        assertThat(first.resolve("A")).isEqualTo(new Resolution.Resolved("env-a", "env"));
        assertThat(first.resolve("A").toString()).doesNotContain("env-a");
    }

    @Test
    void aFailingProviderDoesNotHideASecretAnotherHasButIsReportedWhenNoneHasIt() throws Exception {
        Files.writeString(dir.resolve("B"), "b");
        SecretProviders chain = new SecretProviders(List.of(new FileSecretProvider(dir.resolve("absent")), new FileSecretProvider(dir)));
        assertThat(chain.resolve("B")).isEqualTo(new Resolution.Resolved("b", "file"));
        assertThat(chain.resolve("C")).isInstanceOf(Resolution.Failed.class)
                .satisfies(r -> assertThat(((Resolution.Failed) r).denied()).isFalse());
    }

    @Test
    void unknownProviderTypesAreNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> SecretProviders.of(List.of("aws"), t -> Map.of(), getClass().getClassLoader()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown secret provider 'aws'").hasMessageContaining("env, file, vault");
    }
}
