package dev.baton.jobs.internal;

/**
 * What a job file means when it leaves a key out. The readers fill these in; {@link dev.baton.jobs.JobWriter}
 * leaves them out again, so a round trip keeps files short.
 */
public final class JobDefaults {
    public static final String POOL = "default";
    public static final String SHELL = "bash";
    public static final String HTTP_METHOD = "GET";
    public static final int MAX_ATTEMPTS = 1;
    public static final long BACKOFF_MS = 1_000;
    public static final double MULTIPLIER = 2.0;
    public static final long MAX_BACKOFF_MS = 300_000;
    public static final double JITTER = 0.0;
    public static final String TIMEZONE = "UTC";
    public static final String SCHEDULE_NAME = "default";
    public static final long CATCH_UP_WINDOW_MS = 86_400_000;
    public static final String ASSET_TRIGGER_NAME = "assets";
    public static final String WEBHOOK_HEADER = "X-Baton-Signature-256";

    private JobDefaults() {}
}
