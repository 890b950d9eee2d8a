package dev.baton.alerting.internal;

/** How one attempt to deliver a notification to one destination went. */
public sealed interface Delivery {
    record Delivered() implements Delivery {}

    /** A failure that may pass (connection refused, timeout, 5xx, 429): try again after a backoff. */
    record Retry(String reason) implements Delivery {}

    /** A failure that will not pass by trying again (4xx, a missing secret, no SMTP server): dead-lettered at once. */
    record Failed(String reason) implements Delivery {}
}
