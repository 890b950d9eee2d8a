package dev.baton.jobs.internal;

import dev.baton.events.AssetSpec;
import dev.baton.events.RetryPolicy;
import dev.baton.events.StepDefinition;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.ParsedJob.AssetDraft;
import dev.baton.jobs.internal.ParsedJob.Ref;
import dev.baton.jobs.internal.ParsedJob.Scope;
import dev.baton.jobs.internal.ParsedJob.StepDraft;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The job's {@code steps} and {@code onFailure} lists: each step's key, needs, action, pool, retry, timeouts, assets. */
final class StepReader extends ValueReader {

    private final EnvReader envReader;
    private final ActionReader actions;
    private final RetryReader retryReader;
    private final AssetReader assetReader;

    StepReader(Problems problems, ParsedJob parsed, EnvReader envReader, ActionReader actions, RetryReader retryReader,
               AssetReader assetReader) {
        super(problems, parsed);
        this.envReader = envReader;
        this.actions = actions;
        this.retryReader = retryReader;
        this.assetReader = assetReader;
        this.dynamic = new DynamicReader(problems, parsed);
    }

    private final DynamicReader dynamic;

    void read(List<Node> items, String path, boolean onFailure, Map<String, String> jobEnv, String jobPool,
              List<StepDraft> into) {
        if (items == null) {
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            StepDraft draft = readStep(items.get(i), Paths.index(path, i), onFailure, jobEnv, jobPool);
            if (draft != null) {
                into.add(draft);
            }
        }
    }

    private StepDraft readStep(Node node, String path, boolean onFailure, Map<String, String> jobEnv, String jobPool) {
        MapNode m = object(node, path);
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.STEP);
        String key = requiredString(m, "key", path);
        if (key != null) {
            checkPattern(key, Names.KEY, Paths.key(path, "key"), "step key",
                    "lower-case letters, digits, '_' and '-', not starting with '-', at most 100 characters");
        }
        String stepKey = key == null ? "" : key;
        List<Ref> needs = refs(m.get("needs"), Paths.key(path, "needs"), true);

        Map<String, String> stepEnv = envReader.env(m.get("env"), Paths.key(path, "env"), Scope.STEP, stepKey);
        ActionReader.StepAction action = actions.read(m, path, jobEnv, stepEnv, stepKey);

        String pool = pool(m.get("pool"), Paths.key(path, "pool"), jobPool);
        RetryPolicy retry = retryReader.retry(m.get("retry"), Paths.key(path, "retry"));
        Long timeout = retryReader.timeout(m.get("timeout"), Paths.key(path, "timeout"));
        Long heartbeat = retryReader.timeout(m.get("heartbeatTimeout"), Paths.key(path, "heartbeatTimeout"));

        List<AssetDraft> assetDrafts = new ArrayList<>();
        List<AssetSpec> produces = assetReader.produces(m.get("produces"), Paths.key(path, "produces"), assetDrafts);
        if (onFailure && !produces.isEmpty()) {
            problems.add(Paths.key(path, "produces"), "onFailure steps cannot produce assets");
        }

        DynamicReader.Dynamic dyn = dynamic.read(m, path, stepKey, onFailure);
        if (dyn.forEach() != null && !produces.isEmpty()) {
            problems.add(Paths.key(path, "produces"), "a forEach step cannot produce assets (its instances would"
                    + " materialize the same asset once each)");
        }

        StepDefinition step = StepDefinition.newBuilder()
                .setKey(stepKey)
                .setAction(action.action())
                .setNeeds(needs.stream().map(Ref::value).toList())
                .setPool(pool)
                .setRetry(retry)
                .setTimeoutMs(timeout)
                .setHeartbeatTimeoutMs(heartbeat)
                .setProduces(produces)
                .setDescription(string(m.get("description"), Paths.key(path, "description")))
                .setUnsafeVerbatimTemplates(Boolean.TRUE.equals(
                        bool(m.get("unsafeVerbatimTemplates"), Paths.key(path, "unsafeVerbatimTemplates"))))
                .setCache(SubJobReader.cache(this, m.get("cache"), Paths.key(path, "cache"), stepKey))
                .setForEach(dyn.forEach())
                .setMaxParallel(dyn.maxParallel())
                .setWhen(dyn.when())
                .setRunIf(dyn.runIf())
                .setInfraRetries(retryReader.infraRetries(m.get("infraRetries"), Paths.key(path, "infraRetries")))
                .build();
        return new StepDraft(stepKey, path, onFailure, needs, action.kind(), action.outputs(), assetDrafts, step);
    }

    String pool(Node node, String path, String fallback) {
        String pool = string(node, path);
        if (pool == null) {
            return fallback;
        }
        if (!Names.POOL.matcher(pool).matches()) {
            problems.add(path, "'" + pool + "' is not a valid pool name (it becomes the Kafka topic suffix"
                    + " baton.commands.<pool>: letters, digits, '.', '_', '-', at most 100 characters)");
            return fallback;
        }
        return pool;
    }
}
