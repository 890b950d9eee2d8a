package dev.baton.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    @TempDir Path dir;

    @Test
    void createStoresOnlyTheHashWithExpiryAndScopeAndReadsBack() throws Exception {
        Path file = dir.resolve("sub").resolve("tokens");
        TokenFile.Created c = TokenFile.create(file, "orders-ci", Role.OPERATOR, NOW.plusSeconds(3600),
                JobScope.parse("orders_*, nightly_?"), NOW);

        String text = Files.readString(file);
        assertThat(text).doesNotContain(c.token()).contains(ApiTokens.sha256Hex(c.token()));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(c.toString()).doesNotContain(c.token());

        List<TokenFile.Entry> read = TokenFile.read(file);
        assertThat(read).containsExactly(c.entry());
        TokenFile.Entry e = read.get(0);
        assertThat(e.role()).isEqualTo(Role.OPERATOR);
        assertThat(e.expires()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(e.scope().globs()).containsExactly("orders_*", "nightly_?");
        assertThat(e.id()).isEqualTo(ApiTokens.sha256Hex(c.token()).substring(0, 12));
        assertThat(e.expiredAt(NOW)).isFalse();
        assertThat(e.expiredAt(NOW.plusSeconds(3600))).isTrue();
    }

    @Test
    void oldLinesStayValidAndNamesOfActiveTokensAreUnique() {
        Path file = dir.resolve("tokens");
        ApiTokens.NewToken old = ApiTokens.createInFiles(file, null, "admin", Role.ADMIN);
        TokenFile.Entry e = TokenFile.read(file).get(0);
        assertThat(e.sha256()).isEqualTo(old.sha256());
        assertThat(e.scope().unrestricted()).isTrue();
        assertThat(e.expires()).isNull();

        assertThatThrownBy(() -> TokenFile.create(file, "admin", Role.VIEWER, null, JobScope.ALL, NOW))
                .hasMessageContaining("exists already");
        assertThatThrownBy(() -> TokenFile.create(file, "late", Role.VIEWER, NOW.minusSeconds(1), JobScope.ALL, NOW))
                .hasMessageContaining("not in the future");
    }

    @Test
    void revokeMarksTheLineByNameOrIdAndKeepsTheOthers() {
        Path file = dir.resolve("tokens");
        TokenFile.Created a = TokenFile.create(file, "a", Role.VIEWER, null, JobScope.ALL, NOW);
        TokenFile.Created b = TokenFile.create(file, "b", Role.ADMIN, null, JobScope.ALL, NOW);

        assertThat(TokenFile.revoke(file, b.entry().id(), NOW.plusSeconds(5))).extracting(TokenFile.Entry::name).containsExactly("b");
        List<TokenFile.Entry> after = TokenFile.read(file);
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).isEqualTo(a.entry());
        assertThat(after.get(1).revoked()).isEqualTo(NOW.plusSeconds(5));

        assertThatThrownBy(() -> TokenFile.revoke(file, "b", NOW)).hasMessageContaining("no active token");
        // a revoked name can be reused
        TokenFile.create(file, "b", Role.ADMIN, null, JobScope.ALL, NOW);
        assertThat(TokenFile.read(file)).hasSize(3);
    }

    @Test
    void badAttributesAreRefusedWithTheLine() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "x:viewer:" + "a".repeat(64) + ":expires=tomorrow\n");
        assertThatThrownBy(() -> TokenFile.read(file)).hasMessageContaining("line 1").hasMessageContaining("expires");
        Files.writeString(file, "x:viewer:" + "a".repeat(64) + ":color=red\n");
        assertThatThrownBy(() -> TokenFile.read(file)).hasMessageContaining("unknown attribute");
        assertThatThrownBy(() -> JobScope.parse("orders;rm")).hasMessageContaining("invalid job glob");
    }

    @Test
    void jobGlobsMatchWholeNames() {
        JobScope s = JobScope.parse("orders_*,nightly_?,exact");
        assertThat(s.allows("orders_daily")).isTrue();
        assertThat(s.allows("orders_")).isTrue();
        assertThat(s.allows("nightly_a")).isTrue();
        assertThat(s.allows("nightly_ab")).isFalse();
        assertThat(s.allows("exact")).isTrue();
        assertThat(s.allows("exactly")).isFalse();
        assertThat(s.allows("billing_orders_x")).isFalse();
        assertThat(s.allows(null)).isFalse();
        assertThat(JobScope.parse("*a*b").allows("xxaxxbb")).isTrue();
        assertThat(JobScope.parse("*a*b").allows("xxaxxbc")).isFalse();
        assertThat(JobScope.ALL.allows("anything")).isTrue();
        assertThat(JobScope.parse(" ")).isEqualTo(JobScope.ALL);
    }
}
