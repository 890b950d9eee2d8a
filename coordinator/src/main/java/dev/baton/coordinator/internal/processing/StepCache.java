package dev.baton.coordinator.internal.processing;

import dev.baton.coordinator.internal.events.Input;
import dev.baton.events.StepCacheSpec;
import dev.baton.events.StepDefinition;
import dev.baton.runmodel.events.Event.*;
import dev.baton.runmodel.state.RunState;
import dev.baton.runmodel.state.StepState;
import dev.baton.runmodel.state.StepStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The step cache ({@code cache: {key, ttl}}): a ready cached step is not dispatched at once; the coordinator asks the
 * cache stage (keyed by index key, see {@code CacheProcessor}) for the entry under its index key and waits (QUEUED).
 * The answer comes back as an input, so the decision (hit, miss, expired) is part of the fold: a replay reads the same
 * answer and decides the same. Freshness is judged against the answer's timestamp (broker time), never the clock.
 */
final class StepCache {
    private final RunDecider plans;
    private final ActionResolver resolver;
    private final Steps steps;

    StepCache(RunDecider plans, ActionResolver resolver, Steps steps) {
        this.plans = plans;
        this.resolver = resolver;
        this.steps = steps;
    }

    /**
     * For a step that just became ready: true when the cache took it over (a lookup is out, or the key cannot be
     * resolved and the step failed); false when it dispatches as usual (no cache, or the run bypasses it).
     */
    boolean intercept(StepState st, DecisionContext ctx) {
        RunState s = ctx.state();
        StepDefinition def = plans.plan(s.definition()).step(st.key());
        if (def.getCache() == null || st.status() != StepStatus.PENDING) {
            return false;
        }
        String key;
        try {
            key = cacheKey(s, st.key());
        } catch (RuntimeException e) {
            int attempt = st.attempt() + 1;
            ctx.append(st.key(), new StepFailed(attempt, RunDecider.attemptId(s.runId(), st.key(), attempt),
                    ErrorClass.USER_ERROR, "cannot resolve the cache key: " + e.getMessage(), null, false, true, 0));
            return true;
        }
        if (s.noCache()) {
            ctx.append(st.key(), new StepCacheMiss(key, "the run bypasses the step cache (noCache)"));
            return false;
        }
        ctx.append(st.key(), new StepCacheLookup(key, indexKey(s, def, key)));
        return true;
    }

    /** The cache stage's answer for one step: reuse the entry when it is still fresh, else run the step. */
    void answer(Input.CacheAnswer a, DecisionContext ctx) {
        RunState s = ctx.state();
        StepState st = s == null ? null : s.step(a.stepKey());
        if (st == null || st.status() != StepStatus.QUEUED || !Steps.dispatchAllowed(s, st)) {
            ctx.append(null, new CommandRejected("StepCacheAnswer", s == null ? Rejection.UNKNOWN_RUN
                    : st == null ? Rejection.UNKNOWN_STEP : Rejection.INVALID_STATE,
                    s == null ? "unknown run" : st == null ? "unknown step " + a.stepKey()
                            : "step " + a.stepKey() + " is " + st.status() + " (run " + s.status() + ")", a.eventId()));
            return;
        }
        StepDefinition def = plans.plan(s.definition()).step(st.key());
        StepCacheSpec spec = def.getCache();
        String key = cacheKey(s, st.key());
        if (spec == null || !indexKey(s, def, key).equals(a.indexKey())) {
            ctx.append(null, new CommandRejected("StepCacheAnswer", Rejection.INVALID_STATE,
                    "answer for index key " + a.indexKey() + " does not match the step's lookup", a.eventId()));
            return;
        }
        Input.CacheEntry e = a.entry();
        String miss;
        if (e == null) {
            miss = "no entry for this key";
        } else if (!ctx.now().isBefore(e.succeededAt().plusMillis(spec.getTtlMs()))) {
            miss = "expired: cached by run " + e.runId() + " at " + e.succeededAt() + ", ttl "
                    + Duration.ofMillis(spec.getTtlMs()) + ", looked up at " + ctx.now();
        } else {
            ctx.append(st.key(), new StepCacheHit(key, e.runId(), e.attempt(), e.succeededAt(), e.outputs(), e.outputRefs(),
                    e.materializations()));
            steps.progress(ctx);
            return;
        }
        ctx.append(st.key(), new StepCacheMiss(key, miss));
        steps.dispatchOrQueue(ctx.state().step(st.key()), ctx);
        steps.progress(ctx);
    }

    /**
     * The step's cache key: its template resolved over params, upstream outputs and the partition. Attempt fields
     * are not available (the key must be the same at lookup and when the result is stored).
     */
    String cacheKey(RunState s, String stepKey) {
        Plan plan = plans.plan(s.definition());
        StepDefinition def = plan.step(stepKey);
        return resolver.resolveText(def.getCache().getKey(), new ActionResolver.TemplateScope(s.runId(), s.job(), stepKey,
                0, null, s.params(), RunDecider.upstreamOutputs(s, plan, stepKey, StepState::outputs), RunPartitions.of(s),
                true));
    }

    /** The cache key of a step with a cache, when it resolves. */
    Optional<String> cacheKeyOf(RunState s, String stepKey) {
        StepDefinition def = plans.plan(s.definition()).step(stepKey);
        if (def == null || def.getCache() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(cacheKey(s, stepKey));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Where an entry lives in the cache topic: job, job version, a hash of the step's whole definition (action,
     * retry, cache spec, ...) and the cache key, so a changed step never reuses an old result.
     */
    static String indexKey(RunState s, StepDefinition def, String cacheKey) {
        return s.job() + "@v" + s.definition().getVersion() + "/" + def.getKey() + "/" + stepHash(def) + "/"
                + sha256(cacheKey.getBytes(StandardCharsets.UTF_8));
    }

    static String stepHash(StepDefinition def) {
        try {
            ByteBuffer b = def.toByteBuffer();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return sha256(bytes).substring(0, 16);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Instant expiresAt(Instant succeededAt, StepCacheSpec spec) {
        return succeededAt.plusMillis(spec.getTtlMs());
    }
}
