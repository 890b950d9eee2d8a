package dev.baton.jobs.internal;

import java.util.regex.Pattern;

/** The name rules of job files (documented in docs/jobs.md, "Names"). */
public final class Names {
    /** Job names and step keys: lower case, digits, '_' and '-', not starting with '-', 1..100 characters. */
    public static final Pattern KEY = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,99}");
    /** Pools become the suffix of the Kafka topic baton.commands.&lt;pool&gt;. */
    public static final Pattern POOL = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    /** Params, outputs and environment variables: identifiers. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    /** Asset keys: one or more '/'-separated segments. */
    public static final Pattern ASSET_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*");
    public static final int ASSET_KEY_MAX = 255;
    /** Schedules, triggers and checks. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
    /** Tag keys. */
    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:/-]{0,99}");
    public static final int TAG_VALUE_MAX = 256;
    /** Kafka's own rule for topic names. */
    public static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    /** RFC 9110 token, for HTTP header names. */
    public static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * Secret names (a webhook's {@code secret}): upper case, digits and '_', starting with a letter, so that the
     * environment variable {@code BATON_SECRET_<NAME>} is the name as written.
     */
    public static final Pattern SECRET = Pattern.compile("[A-Z][A-Z0-9_]{0,99}");

    private Names() {}
}
