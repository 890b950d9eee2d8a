package dev.baton.sdk;

/** Typed metadata values for {@link StepContext#materialize}, where a plain Java value is ambiguous. */
public final class Metadata {
    private Metadata() {}

    /** A JSON document (object, array or scalar), kept as text. */
    public record Json(String value) {}

    /** A link, shown as such by the UI. */
    public record Url(String value) {}

    public static Json json(String json) {
        return new Json(json);
    }

    public static Url url(String url) {
        return new Url(url);
    }
}
