package dev.baton.alerting.internal;

import dev.baton.events.AlertCondition;
import dev.baton.events.Incident;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Keys and ids of the fold, derived from its inputs only (a replay derives the same). */
public final class Groups {
    private Groups() {}

    /** One open incident at most per (rule, job, subject). */
    public static String key(String ruleId, String job, String subject) {
        return ruleId + "|" + (job == null ? "" : job) + "|" + (subject == null ? "" : subject);
    }

    public static String key(Incident i) {
        return key(i.getRuleId(), i.getJob(), i.getSubject());
    }

    /** The n-th incident of a group: {@code inc-} and 16 hex digits. */
    public static String incidentId(String groupKey, int n) {
        UUID u = UUID.nameUUIDFromBytes((groupKey + "#" + n).getBytes(StandardCharsets.UTF_8));
        return "inc-" + Long.toHexString(u.getMostSignificantBits() ^ u.getLeastSignificantBits() | Long.MIN_VALUE).substring(0, 16);
    }

    public static String clearKey(AlertCondition c, String job, String subject) {
        return c.name() + "|" + (job == null ? "" : job) + "|" + (subject == null ? "" : subject);
    }

    public static String eventId(String sourceId, String incidentId, String what) {
        return UUID.nameUUIDFromBytes((sourceId + "/" + incidentId + "/" + what).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
