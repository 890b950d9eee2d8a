package dev.baton.jobs.internal;

import dev.baton.events.AssetTrigger;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.TriggerSpec;
import dev.baton.events.ValueFormat;
import dev.baton.jobs.JobExpressions;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.ParsedJob.ParamSource;
import dev.baton.jobs.internal.ParsedJob.Ref;
import dev.baton.jobs.internal.ParsedJob.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The job's {@code triggers}: Kafka topics (with filter, params, run key) and asset updates. */
final class TriggerReader extends ValueReader {

    private final ParamReader paramReader;
    private final AssetReader assetReader;

    TriggerReader(Problems problems, ParsedJob parsed, ParamReader params, AssetReader assets) {
        super(problems, parsed);
        this.paramReader = params;
        this.assetReader = assets;
    }

    List<TriggerSpec> read(Node node, String path) {
        List<TriggerSpec> triggers = new ArrayList<>();
        List<Node> items = list(node, path);
        if (items == null) {
            return triggers;
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            MapNode m = object(items.get(i), p, "an object {kafka: {...}} or {assets: [...]}");
            if (m == null) {
                continue;
            }
            keys(m, p, Keys.TRIGGER);
            boolean kafka = m.has("kafka");
            boolean assets = m.has("assets");
            Object trigger = null;
            String name = null;
            String namePath = null;
            if (kafka == assets) {
                problems.add(p, kafka ? "a trigger is either kafka or assets, not both" : "a trigger needs kafka or assets");
            } else if (kafka) {
                if (m.has("name")) {
                    problems.add(Paths.key(p, "name"), "put the name inside kafka: {name: ...}");
                }
                KafkaTrigger k = kafka(m.get("kafka"), Paths.key(p, "kafka"));
                if (k != null) {
                    trigger = k;
                    name = k.getName();
                    namePath = Paths.key(Paths.key(p, "kafka"), "name");
                }
            } else {
                name = string(m.get("name"), Paths.key(p, "name"));
                namePath = Paths.key(p, "name");
                if (name != null) {
                    checkPattern(name, Names.NAME, namePath, "trigger name",
                            "letters, digits, '_', '.', '-', at most 100 characters");
                } else {
                    name = JobDefaults.ASSET_TRIGGER_NAME;
                }
                String ap = Paths.key(p, "assets");
                List<Ref> keys = refs(m.get("assets"), ap, true);
                if (keys.isEmpty()) {
                    problems.add(ap, "list at least one asset key");
                }
                for (Ref key : keys) {
                    assetReader.assetKey(key.value(), key.path());
                }
                parsed.assetTriggers.add(new ParsedJob.TriggerDraft(name, p, keys));
                parsed.paramSources.add(new ParamSource(p, "asset trigger '" + name + "'", List.of(), false));
                trigger = AssetTrigger.newBuilder().setName(name).setAssets(keys.stream().map(Ref::value).toList()).build();
            }
            if (trigger == null) {
                continue;
            }
            String first = seen.putIfAbsent(name, p);
            if (first != null) {
                problems.add(namePath, "duplicate trigger name '" + name + "' (also at " + first
                        + "); give each trigger its own name");
            }
            triggers.add(TriggerSpec.newBuilder().setTrigger(trigger).build());
        }
        return triggers;
    }

    private KafkaTrigger kafka(Node node, String path) {
        MapNode m = object(node, path, "an object {name, topic, filter, params, runKey, format}");
        if (m == null) {
            return null;
        }
        keys(m, path, Keys.KAFKA);
        String topic = requiredString(m, "topic", path);
        if (topic != null && !Names.TOPIC.matcher(topic).matches()) {
            problems.add(Paths.key(path, "topic"), "'" + topic + "' is not a valid Kafka topic name (letters, digits,"
                    + " '.', '_', '-', at most 249 characters)");
        }
        String name = string(m.get("name"), Paths.key(path, "name"));
        if (name != null) {
            checkPattern(name, Names.NAME, Paths.key(path, "name"), "trigger name",
                    "letters, digits, '_', '.', '-', at most 100 characters");
        } else {
            name = topic == null ? "" : topic;
        }
        ValueFormat format = enumValue(m.get("format"), Paths.key(path, "format"), ValueFormat.class, ValueFormat.JSON);
        String filter = string(m.get("filter"), Paths.key(path, "filter"));
        if (filter != null) {
            try {
                JobExpressions.compileFilter(filter);
            } catch (IllegalArgumentException e) {
                problems.add(Paths.key(path, "filter"), e.getMessage());
            }
        }
        String runKey = string(m.get("runKey"), Paths.key(path, "runKey"));
        if (runKey != null) {
            if (runKey.isBlank()) {
                problems.add(Paths.key(path, "runKey"), "must not be empty");
            }
            site(Paths.key(path, "runKey"), runKey, Scope.TRIGGER, null, format);
        }
        Map<String, String> params = paramReader.values(m.get("params"), Paths.key(path, "params"), Scope.TRIGGER, format,
                "Kafka trigger '" + name + "'");
        return KafkaTrigger.newBuilder()
                .setName(name)
                .setTopic(topic == null ? "" : topic)
                .setFilter(filter)
                .setParams(params)
                .setRunKey(runKey)
                .setFormat(format)
                .build();
    }
}
