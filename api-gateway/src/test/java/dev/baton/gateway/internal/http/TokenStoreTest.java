package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.gateway.ApiTokens;
import dev.baton.gateway.JobScope;
import dev.baton.gateway.TokenFile;
import dev.baton.gateway.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenStoreTest {
    @TempDir Path dir;

    @Test
    void tokensFromFileConfigurationAndEnvironmentAuthenticateByHash() throws Exception {
        ApiTokens.NewToken admin = ApiTokens.createInFiles(dir.resolve("tokens"), dir.resolve("admin.token"), "admin", Role.ADMIN);
        ApiTokens.NewToken ops = ApiTokens.create("ops", Role.OPERATOR);
        ApiTokens.NewToken ci = ApiTokens.create("ci", Role.VIEWER);
        Files.writeString(dir.resolve("tokens"), "# comment\n\n", java.nio.file.StandardOpenOption.APPEND);

        TokenStore store = new TokenStore(dir.resolve("tokens"), Map.of("ops", ops.envValue()),
                Map.of("BATON_TOKEN_CI_BOT", ci.envValue(), "PATH", "/usr/bin"));

        assertThat(Files.readString(dir.resolve("admin.token")).strip()).isEqualTo(admin.token());
        assertThat(Files.readString(dir.resolve("tokens"))).doesNotContain(admin.token()).contains(admin.sha256());
        assertThat(store.authenticate(admin.token())).contains(new TokenStore.Principal("admin", Role.ADMIN));
        assertThat(store.authenticate(ops.token())).contains(new TokenStore.Principal("ops", Role.OPERATOR));
        assertThat(store.authenticate(ci.token())).contains(new TokenStore.Principal("ci.bot", Role.VIEWER));
        assertThat(store.authenticate("baton_guess")).isEmpty();
        assertThat(store.authenticate(null)).isEmpty();
        assertThat(admin.token()).startsWith(ApiTokens.PREFIX).hasSizeGreaterThan(40);
        assertThat(admin.toString()).doesNotContain(admin.token());
    }

    @Test
    void theFileIsReloadedWhenItChangesAndABrokenFileKeepsTheOldTokens() throws Exception {
        Path file = dir.resolve("tokens");
        ApiTokens.NewToken a = ApiTokens.createInFiles(file, null, "a", Role.VIEWER);
        TokenStore store = new TokenStore(file, Map.of(), Map.of());
        assertThat(store.authenticate(a.token())).isPresent();

        ApiTokens.NewToken b = ApiTokens.create("b", Role.ADMIN);
        Files.writeString(file, b.fileLine() + "\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        store.reloadIfChanged();
        assertThat(store.authenticate(a.token())).isEmpty();
        assertThat(store.authenticate(b.token())).isPresent();

        Files.writeString(file, "garbage\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        store.reloadIfChanged();
        assertThat(store.authenticate(b.token())).isPresent();
    }

    @Test
    void badEntriesFailFastNamingWhere() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "x:admin:abc\n");
        assertThatThrownBy(() -> new TokenStore(file, Map.of(), Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> new TokenStore(null, Map.of("x", "root:" + "a".repeat(64)), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown role");
    }

    @Test
    void expiredAndRevokedTokensAreKnownButRefusedWithTheReason() {
        Path file = dir.resolve("tokens");
        Instant now = Instant.parse("2026-12-05T12:00:00Z");
        TokenFile.Created soon = TokenFile.create(file, "soon", Role.VIEWER, now.plusSeconds(60), JobScope.parse("orders_*"), now);
        TokenFile.Created gone = TokenFile.create(file, "gone", Role.ADMIN, null, JobScope.ALL, now);
        TokenFile.revoke(file, "gone", now.plusSeconds(1));
        TokenStore store = new TokenStore(file, Map.of(), Map.of());

        assertThat(store.check(soon.token(), now)).isEqualTo(new TokenStore.Check.Valid(
                new TokenStore.Principal("soon", Role.VIEWER, JobScope.parse("orders_*"))));
        assertThat(store.check(soon.token(), now.plusSeconds(60))).isEqualTo(new TokenStore.Check.Expired("soon", now.plusSeconds(60)));
        assertThat(store.check(gone.token(), now)).isEqualTo(new TokenStore.Check.Revoked("gone", now.plusSeconds(1)));
        assertThat(store.check("baton_guess", now)).isEqualTo(new TokenStore.Check.Unknown());
        assertThat(store.authenticate(gone.token())).isEmpty();
    }

    @Test
    void aMissingFileCountsAsEmptyUntilItAppears() {
        Path file = dir.resolve("later").resolve("tokens");
        TokenStore store = new TokenStore(file, Map.of(), Map.of());
        assertThat(store.size()).isZero();
        TokenFile.Created admin = TokenFile.create(file, "admin", Role.ADMIN, null, JobScope.ALL, Instant.now());
        store.reloadIfChanged();
        assertThat(store.authenticate(admin.token())).contains(new TokenStore.Principal("admin", Role.ADMIN));
    }

    @Test
    void aRevocationWithinTheSameTimestampTickIsStillSeen() throws Exception {
        Path file = dir.resolve("tokens");
        TokenFile.Created a = TokenFile.create(file, "a", Role.VIEWER, null, JobScope.ALL, Instant.now());
        FileTime t = Files.getLastModifiedTime(file);
        TokenStore store = new TokenStore(file, Map.of(), Map.of());
        TokenFile.revoke(file, "a", Instant.now());
        Files.setLastModifiedTime(file, t); // as if the file system's clock had not ticked
        store.reloadIfChanged();
        assertThat(store.check(a.token(), Instant.now())).isInstanceOf(TokenStore.Check.Revoked.class);
    }

    @Test
    void rolesIncludeTheRightsOfLowerRoles() {
        assertThat(Role.ADMIN.allows(Role.OPERATOR)).isTrue();
        assertThat(Role.OPERATOR.allows(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.allows(Role.OPERATOR)).isFalse();
        assertThat(Role.OPERATOR.allows(Role.ADMIN)).isFalse();
        assertThat(Role.parse(" Operator ")).isEqualTo(Role.OPERATOR);
    }
}
