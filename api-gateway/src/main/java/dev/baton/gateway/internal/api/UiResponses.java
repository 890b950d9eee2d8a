package dev.baton.gateway.internal.api;

/** Bodies of the web UI's session routes. */
public final class UiResponses {
    private UiResponses() {}

    /** Who the caller is, and the header a cookie-authenticated request that changes state must carry. */
    public record Whoami(String name, String role, String csrfHeader) {}

    /** {@code DELETE /session}. */
    public record SignedOut(boolean signedOut) {}
}
