package dev.baton.gateway.internal.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One page of a list: the items, the page size asked for and the cursor of the next page (absent on the last).
 *
 * @param nextCursor base64url of the list's order key after which the next page starts
 */
public record Page<T>(List<T> items, int limit, String nextCursor) {
    /** A page whose next one starts after {@code nextOrder} (a list's order key; null when this is the last page). */
    public static <T> Page<T> of(List<T> items, String nextOrder, int limit) {
        return new Page<>(items, limit, encodeCursor(nextOrder));
    }

    /** The cursor clients pass back: base64url (no padding) of the UTF-8 order key. */
    public static String encodeCursor(String order) {
        return order == null ? null : Base64.getUrlEncoder().withoutPadding().encodeToString(order.getBytes(StandardCharsets.UTF_8));
    }
}
