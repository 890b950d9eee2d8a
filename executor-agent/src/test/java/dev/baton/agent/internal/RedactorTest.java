package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.ErrorClass;
import dev.baton.events.IntValue;
import dev.baton.events.MaterializationReport;
import dev.baton.events.TextValue;
import dev.baton.events.UrlValue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    @Test
    void exactValuesAreMaskedLongestFirst() {
        Redactor r = Redactor.of(List.of("abc", "abcdef", ""));
        assertThat(r.redact("x abcdef y abc z")).isEqualTo("x *** y *** z");
        assertThat(r.redact("nothing here")).isEqualTo("nothing here");
        assertThat(r.redact((String) null)).isNull();
        assertThat(r.toString()).doesNotContain("abc");
    }

    @Test
    void aMultiLineSecretIsAlsoMaskedLineByLine() {
        Redactor r = Redactor.of(List.of("-----BEGIN KEY-----\nMIIEpAIB\n-----END KEY-----\n"));
        assertThat(r.redact("MIIEpAIB")).isEqualTo("***");
        assertThat(r.redact("-----BEGIN KEY-----")).isEqualTo("***");
    }

    @Test
    void outcomesAreMaskedInOutputsMaterializationsAndMessages() {
        Redactor r = Redactor.of(List.of("s3cr3t"));
        Outcome.Succeeded s = (Outcome.Succeeded) r.redact(new Outcome.Succeeded(Map.of("pw", "is s3cr3t"), Map.of("ref", "s3://s3cr3t"),
                List.of(MaterializationReport.newBuilder().setAssetKey("a").setPartition("s3cr3t").setDataVersion(null)
                        .setMetadata(Map.of("t", new TextValue("s3cr3t!"), "u", new UrlValue("http://x/s3cr3t"), "n", new IntValue(3L)))
                        .build())));
        assertThat(s.outputs()).containsEntry("pw", "is ***");
        assertThat(s.outputRefs()).containsEntry("ref", "s3://***");
        MaterializationReport m = s.materializations().getFirst();
        assertThat(m.getPartition()).isEqualTo("***");
        assertThat(m.getMetadata()).containsEntry("t", new TextValue("***!")).containsEntry("u", new UrlValue("http://x/***"))
                .containsEntry("n", new IntValue(3L));

        Outcome.Failed f = (Outcome.Failed) r.redact(Outcome.userError("exit code 1: bad password s3cr3t", 1, true));
        assertThat(f).isEqualTo(new Outcome.Failed(ErrorClass.USER_ERROR, "exit code 1: bad password ***", 1, true));
        assertThat(Redactor.NONE.redact(f)).isSameAs(f);
    }
}
