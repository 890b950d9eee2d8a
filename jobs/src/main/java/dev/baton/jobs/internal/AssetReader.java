package dev.baton.jobs.internal;

import dev.baton.events.AssetCheckSpec;
import dev.baton.events.AssetSpec;
import dev.baton.events.CheckSeverity;
import dev.baton.jobs.JobExpressions;
import dev.baton.jobs.internal.Node.ListNode;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import dev.baton.jobs.internal.ParsedJob.AssetDraft;
import dev.baton.jobs.internal.ParsedJob.Ref;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The assets a step {@code produces}, with their freshness and checks; asset keys wherever they appear. */
final class AssetReader extends ValueReader {
    AssetReader(Problems problems, ParsedJob parsed) {
        super(problems, parsed);
    }

    List<AssetSpec> produces(Node node, String path, List<AssetDraft> drafts) {
        List<AssetSpec> specs = new ArrayList<>();
        List<Node> items;
        if (node instanceof ScalarNode s && !s.isNull()) {
            items = List.of(node); // produces: raw_orders
        } else {
            items = list(node, path);
        }
        if (items == null) {
            return specs;
        }
        for (int i = 0; i < items.size(); i++) {
            String p = node instanceof ListNode ? Paths.index(path, i) : path;
            AssetSpec spec = asset(items.get(i), p, drafts);
            if (spec != null) {
                specs.add(spec);
            }
        }
        return specs;
    }

    private AssetSpec asset(Node node, String path, List<AssetDraft> drafts) {
        AssetSpec.Builder spec = AssetSpec.newBuilder()
                .setDeps(new ArrayList<>())
                .setGroup(null)
                .setOwners(new ArrayList<>())
                .setDescription(null)
                .setFreshnessMaxLagMs(null)
                .setChecks(new ArrayList<>());
        String key;
        String keyPath;
        List<Ref> deps = List.of();
        if (node instanceof ScalarNode s && !s.isNull()) {
            key = s.text();
            keyPath = path;
        } else if (node instanceof MapNode m) {
            keys(m, path, Keys.ASSET);
            keyPath = Paths.key(path, "key");
            key = requiredString(m, "key", path);
            deps = refs(m.get("deps"), Paths.key(path, "deps"), true);
            for (Ref dep : deps) {
                assetKey(dep.value(), dep.path());
            }
            spec.setDeps(deps.stream().map(Ref::value).toList());
            spec.setGroup(string(m.get("group"), Paths.key(path, "group")));
            spec.setOwners(refs(m.get("owners"), Paths.key(path, "owners"), true).stream().map(Ref::value).toList());
            spec.setDescription(string(m.get("description"), Paths.key(path, "description")));
            MapNode fm = object(m.get("freshness"), Paths.key(path, "freshness"));
            if (fm != null) {
                keys(fm, Paths.key(path, "freshness"), Keys.FRESHNESS);
                Long lag = duration(fm.get("maxLag"), Paths.key(Paths.key(path, "freshness"), "maxLag"), false);
                if (lag == null && !fm.has("maxLag")) {
                    problems.add(Paths.key(Paths.key(path, "freshness"), "maxLag"), "is required");
                }
                spec.setFreshnessMaxLagMs(lag);
            }
            spec.setChecks(checks(m.get("checks"), Paths.key(path, "checks")));
        } else {
            problems.add(path, "expected an asset key or an object {key, deps, group, owners, description,"
                    + " freshness, checks}, got " + kindOf(node));
            return null;
        }
        if (key == null) {
            return null;
        }
        assetKey(key, keyPath);
        drafts.add(new AssetDraft(key, keyPath, deps));
        return spec.setKey(key).build();
    }

    void assetKey(String key, String path) {
        if (!Names.ASSET_KEY.matcher(key).matches() || key.length() > Names.ASSET_KEY_MAX) {
            problems.add(path, "'" + key + "' is not a valid asset key ('/'-separated segments of letters, digits,"
                    + " '_', '.', '-', each not starting with '.' or '-', at most " + Names.ASSET_KEY_MAX + " characters)");
        }
    }

    private List<AssetCheckSpec> checks(Node node, String path) {
        List<AssetCheckSpec> checks = new ArrayList<>();
        List<Node> items = list(node, path);
        if (items == null) {
            return checks;
        }
        Map<String, String> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String p = Paths.index(path, i);
            MapNode m = object(items.get(i), p);
            if (m == null) {
                continue;
            }
            keys(m, p, Keys.CHECK);
            String name = requiredString(m, "name", p);
            if (name != null) {
                checkPattern(name, Names.NAME, Paths.key(p, "name"), "check name",
                        "letters, digits, '_', '.', '-', at most 100 characters");
                String first = seen.putIfAbsent(name, p);
                if (first != null) {
                    problems.add(Paths.key(p, "name"), "duplicate check name '" + name + "' (also at " + first + ")");
                }
            }
            String expr = requiredString(m, "expr", p);
            if (expr != null) {
                try {
                    JobExpressions.compileCheck(expr);
                } catch (IllegalArgumentException e) {
                    problems.add(Paths.key(p, "expr"), e.getMessage());
                }
            }
            CheckSeverity severity = enumValue(m.get("severity"), Paths.key(p, "severity"), CheckSeverity.class,
                    CheckSeverity.ERROR);
            checks.add(AssetCheckSpec.newBuilder()
                    .setName(name == null ? "" : name)
                    .setExpression(expr == null ? "" : expr)
                    .setSeverity(severity)
                    .build());
        }
        return checks;
    }
}
