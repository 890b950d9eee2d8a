package dev.baton.agent.internal;

import dev.baton.events.ErrorClass;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import dev.baton.events.RunAction;
import dev.baton.platform.secrets.SecretProviders;
import dev.baton.platform.secrets.SecretProviders.Resolution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${{ secrets.NAME }}} in every string of an action just before it runs (a run step's script, env
 * values and working directory; an http step's URL, header values and body; a java step's config values), through
 * the agent's secret providers. Only names travel on Kafka; values exist only here, in the step's process, request
 * or handler, and are masked in everything the attempt reports ({@link Redactor}). A substituted value is never
 * scanned again.
 */
final class ActionSecrets {
    /** The agent's syntax: exactly the secrets namespace; every other template was resolved by the coordinator. */
    static final Pattern REFERENCE = Pattern.compile("\\$\\{\\{\\s*secrets\\.([A-Za-z0-9_-]+)\\s*}}");

    /** The action to run and the redactor for its secret values. */
    record Resolved(Object action, Redactor redactor) {
        @Override
        public String toString() {
            return "Resolved[" + redactor + "]"; // the action holds secret values now
        }
    }

    private final SecretProviders providers;
    private final AgentMetrics metrics;
    private final boolean missingRetryable;

    ActionSecrets(SecretProviders providers, AgentMetrics metrics, boolean missingRetryable) {
        this.providers = providers;
        this.metrics = metrics;
        this.missingRetryable = missingRetryable;
    }

    Resolved resolve(Object action) throws StepStartException {
        Set<String> names = new LinkedHashSet<>();
        strings(action).forEach(s -> names(s, names));
        if (names.isEmpty()) {
            return new Resolved(action, Redactor.NONE);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : names) {
            switch (providers.resolve(name)) {
                case Resolution.Resolved r -> values.put(name, r.value());
                case Resolution.NotFound nf -> {
                    metrics.credentialFailure(providers.names(), "missing");
                    throw new StepStartException(new Outcome.Failed(ErrorClass.SECRET_MISSING,
                            "secret " + name + " not found (looked in " + nf.where() + ")", null, missingRetryable));
                }
                case Resolution.Failed f when f.denied() -> {
                    metrics.credentialFailure(f.provider(), "denied");
                    throw new StepStartException(new Outcome.Failed(ErrorClass.SECRET_MISSING,
                            "secret " + name + " could not be read: " + f.reason(), null, missingRetryable));
                }
                case Resolution.Failed f -> {
                    metrics.credentialFailure(f.provider(), "unavailable");
                    throw new StepStartException(Outcome.infrastructure(
                            "secret " + name + " could not be read now: " + f.reason(), true));
                }
            }
        }
        return new Resolved(substitute(action, values), Redactor.of(values.values()));
    }

    /** The names referenced in {@code text}, added to {@code into}. */
    static void names(String text, Set<String> into) {
        if (text == null || !text.contains("${{")) {
            return;
        }
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            into.add(m.group(1));
        }
    }

    static String substitute(String text, Map<String, String> values) {
        if (text == null || !text.contains("${{")) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Map<String, String> substitute(Map<String, String> map, Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, substitute(v, values)));
        return out;
    }

    private static List<String> strings(Object action) {
        List<String> s = new ArrayList<>();
        switch (action) {
            case RunAction r -> {
                s.add(r.getScript());
                s.add(r.getWorkingDir());
                s.addAll(r.getEnv().values());
            }
            case HttpAction h -> {
                s.add(h.getUrl());
                s.add(h.getBody());
                s.addAll(h.getHeaders().values());
            }
            case JavaAction j -> s.addAll(j.getConfig().values());
            case null, default -> { }
        }
        return s;
    }

    private static Object substitute(Object action, Map<String, String> values) {
        return switch (action) {
            case RunAction r -> RunAction.newBuilder(r)
                    .setScript(substitute(r.getScript(), values))
                    .setWorkingDir(substitute(r.getWorkingDir(), values))
                    .setEnv(substitute(r.getEnv(), values))
                    .build();
            case HttpAction h -> HttpAction.newBuilder(h)
                    .setUrl(substitute(h.getUrl(), values))
                    .setBody(substitute(h.getBody(), values))
                    .setHeaders(substitute(h.getHeaders(), values))
                    .build();
            case JavaAction j -> JavaAction.newBuilder(j).setConfig(substitute(j.getConfig(), values)).build();
            default -> action;
        };
    }
}
