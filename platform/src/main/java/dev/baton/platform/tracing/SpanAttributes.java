package dev.baton.platform.tracing;

import io.opentelemetry.api.common.AttributeKey;

/** Attribute keys on Baton's spans (documented in docs/operations.md, "Tracing"). */
public final class SpanAttributes {
    private SpanAttributes() {}

    public static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("baton.run.id");
    public static final AttributeKey<String> JOB = AttributeKey.stringKey("baton.job");
    public static final AttributeKey<String> STEP = AttributeKey.stringKey("baton.step");
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("baton.attempt");
    public static final AttributeKey<String> ATTEMPT_ID = AttributeKey.stringKey("baton.attempt.id");
    public static final AttributeKey<String> POOL = AttributeKey.stringKey("baton.pool");
    public static final AttributeKey<String> REGION = AttributeKey.stringKey("baton.region");
    public static final AttributeKey<String> AGENT_ID = AttributeKey.stringKey("baton.agent.id");
    public static final AttributeKey<String> ORIGIN = AttributeKey.stringKey("baton.origin");
    public static final AttributeKey<String> STATUS = AttributeKey.stringKey("baton.status");
    public static final AttributeKey<String> ERROR_CLASS = AttributeKey.stringKey("baton.error.class");
    public static final AttributeKey<String> SCHEDULE = AttributeKey.stringKey("baton.schedule");
    public static final AttributeKey<String> SENSOR = AttributeKey.stringKey("baton.sensor");
}
