package dev.baton.gateway.internal.readmodel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.AssetCheckEvaluated;
import dev.baton.events.AssetFreshnessChanged;
import dev.baton.events.AssetMaterialization;
import dev.baton.events.CheckOutcome;
import dev.baton.events.CheckSeverity;
import dev.baton.events.LineageEvent;
import dev.baton.gateway.internal.json.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssetFoldTest {
    static final long T0 = Instant.parse("2026-05-01T10:00:00Z").toEpochMilli();
    static final long HOUR = 3_600_000L;

    static LineageEvent event(String id, long at, Object payload) {
        return LineageEvent.newBuilder().setEventId(id).setRunId("run-1").setTimestamp(Instant.ofEpochMilli(at)).setTraceId("t")
                .setAssetKey("wh/orders").setPayload(payload).build();
    }

    static LineageEvent materialized(String id, long at) {
        return event(id, at, AssetMaterialization.newBuilder().setJob("daily").setStepKey("load").setAttempt(1)
                .setAttemptId("a").setDataVersion("v").build());
    }

    static LineageEvent checked(String id, long at, String check, CheckOutcome outcome, String materializationId) {
        return event(id, at, new AssetCheckEvaluated(check, CheckSeverity.ERROR, outcome, materializationId, "msg " + id));
    }

    static LineageEvent freshness(String id, long at, boolean fresh, Long lastMaterializedAt) {
        return event(id, at, new AssetFreshnessChanged(fresh, HOUR, lastMaterializedAt == null ? null : Instant.ofEpochMilli(lastMaterializedAt)));
    }

    /** Folds as the processor does, including the round trip through the stored JSON. */
    static AssetSummary fold(AssetSummary s, LineageEvent e, boolean alreadyStored) {
        AssetSummary before = s == null ? null : Json.read(Json.bytes(s), AssetSummary.class);
        return AssetFold.apply(before, e, Map.of("materializationId", e.getEventId()), alreadyStored);
    }

    @Test
    void materializationsAreCountedOnceAndTheNewestIsTheLatest() {
        AssetSummary s = fold(null, materialized("m1", T0), false);
        s = fold(s, materialized("m2", T0 + 10), false);
        s = fold(s, materialized("m1", T0), true); // read again after a restart
        assertThat(s.materializationCount).isEqualTo(2);
        assertThat(s.lastMaterializedAt).isEqualTo(T0 + 10);
        assertThat(s.lastMaterialization).containsEntry("materializationId", "m2");
    }

    @Test
    void eachCheckKeepsItsNewestResultAndReplaysChangeNothing() {
        AssetSummary s = fold(null, checked("c1", T0, "not_empty", CheckOutcome.PASSED, "m1"), false);
        s = fold(s, checked("c2", T0 + 5, "not_empty", CheckOutcome.FAILED, "m2"), false);
        s = fold(s, checked("c3", T0 + 5, "fresh_rows", CheckOutcome.ERRORED, "m2"), false);
        AssetSummary replayed = fold(s, checked("c1", T0, "not_empty", CheckOutcome.PASSED, "m1"), false);
        for (AssetSummary x : List.of(s, replayed)) {
            assertThat(x.checks).containsOnlyKeys("not_empty", "fresh_rows");
            assertThat(x.checks.get("not_empty").outcome).isEqualTo("FAILED");
            assertThat(x.checks.get("not_empty").materializationId).isEqualTo("m2");
            assertThat(x.checks.values()).allMatch(AssetSummary.Check::failing);
        }
        Map<String, Object> view = json(AssetViews.check(replayed.checks.get("not_empty")));
        assertThat(view).containsEntry("severity", "ERROR").containsEntry("message", "msg c2")
                .containsEntry("timestamp", Instant.ofEpochMilli(T0 + 5).toString());
    }

    @Test
    void freshnessSinceIsWhenTheAssetEnteredItsStateNotWhenItWasReportedAgain() {
        AssetSummary s = fold(null, materialized("m1", T0), false);
        s = fold(s, freshness("f1", T0 + HOUR + 30_000, false, T0), false);
        s = fold(s, freshness("f2", T0 + 2 * HOUR, false, T0), false); // still stale
        Map<String, Object> stale = json(AssetViews.freshness(s, HOUR, T0 + 3 * HOUR));
        assertThat(stale).containsEntry("status", "STALE").containsEntry("fresh", false).containsEntry("maxLagMs", HOUR)
                .containsEntry("since", Instant.ofEpochMilli(T0 + HOUR).toString())
                .containsEntry("lastMaterializedAt", Instant.ofEpochMilli(T0).toString());

        // a new materialization: fresh at once, before the coordinator says so, and since then
        long m2 = T0 + 3 * HOUR;
        s = fold(s, materialized("m2", m2), false);
        assertThat(json(AssetViews.freshness(s, HOUR, m2 + 1000))).containsEntry("status", "FRESH")
                .containsEntry("since", Instant.ofEpochMilli(m2).toString());
        s = fold(s, freshness("f3", m2 + 20, true, m2), false);
        assertThat(json(AssetViews.freshness(s, HOUR, m2 + 1000))).containsEntry("status", "FRESH")
                .containsEntry("since", Instant.ofEpochMilli(m2).toString());
        // an older verdict read again does not go back
        AssetSummary replayed = fold(s, freshness("f2", T0 + 2 * HOUR, false, T0), false);
        assertThat(json(AssetViews.freshness(replayed, HOUR, m2 + 1000))).containsEntry("status", "FRESH");
    }

    @Test
    void freshnessWithoutEventsFollowsTheDeclaredLag() {
        assertThat(json(AssetViews.freshness(null, null, T0))).isNull();
        assertThat(json(AssetViews.freshness(null, HOUR, T0))).containsEntry("status", "UNKNOWN").doesNotContainKey("fresh");
        AssetSummary s = fold(null, materialized("m1", T0), false);
        assertThat(json(AssetViews.freshness(s, HOUR, T0 + HOUR))).containsEntry("status", "FRESH");
        assertThat(json(AssetViews.freshness(s, HOUR, T0 + HOUR + 1))).containsEntry("status", "STALE")
                .containsEntry("since", Instant.ofEpochMilli(T0 + HOUR).toString());
    }

    /** A response record as the API writes it (absent fields left out), read back with whole numbers as longs. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Object body) {
        return body == null ? null : dev.baton.gateway.internal.json.Json.MAPPER.copy()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS)
                .convertValue(body, Map.class);
    }
}
