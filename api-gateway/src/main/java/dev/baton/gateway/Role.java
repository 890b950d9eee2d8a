package dev.baton.gateway;

import java.util.Locale;

/**
 * What an API token may do. Each role includes the rights of the roles before it:
 * {@link #VIEWER} reads, {@link #OPERATOR} also triggers, cancels and retries runs (and calls webhooks) and pauses
 * and resumes schedules,
 * {@link #ADMIN} also registers jobs.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** True when this role has at least the rights of {@code required}. */
    public boolean allows(Role required) {
        return compareTo(required) >= 0;
    }

    /** The lower-case name used in token files and JSON ({@code viewer}, {@code operator}, {@code admin}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code viewer|operator|admin}, case-insensitively. */
    public static Role parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + s + "' (expected viewer, operator or admin)");
        }
    }
}
