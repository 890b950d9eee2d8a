package dev.baton.alerting.internal;

/**
 * One (rule, job, subject): how many incidents it has had (the next one's number) and the open one, if any.
 *
 * @param openIncidentId null when no incident is open
 */
public record GroupState(String key, int incidents, String openIncidentId) {
    public static GroupState empty(String key) {
        return new GroupState(key, 0, null);
    }
}
