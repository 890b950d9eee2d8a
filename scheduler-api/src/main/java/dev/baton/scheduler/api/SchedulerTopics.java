package dev.baton.scheduler.api;

import dev.baton.platform.TopicDefaults;
import dev.baton.platform.TopicSpec;
import dev.baton.platform.Topics;
import java.util.List;

/**
 * The schedule topics and their keys. {@code Topics.schedulerState()} carries the published {@link ScheduleStatus}
 * of every schedule (compacted, written by the scheduler in the same transaction as its ticks); the control topic
 * carries runtime pause and resume ({@link SchedulerControl.Command}, compacted, written by the gateway or the CLI,
 * applied by the scheduler). Both are keyed by {@link #key} and hold {@link ScheduleJson} values.
 */
public final class SchedulerTopics {
    private SchedulerTopics() {}

    public static String control(Topics topics) {
        return topics.schedulerControl();
    }

    public static String status(Topics topics) {
        return topics.schedulerState();
    }

    /** {@code job/schedule}, the key of both topics: job and schedule names cannot contain '/'. */
    public static String key(String job, String schedule) {
        return job + "/" + schedule;
    }

    /**
     * Key of the scheduler's own nudge on the control topic (a tombstone, so compaction keeps nothing of it): "the
     * registered jobs changed, look at them". Every scheduler instance writes one after its jobs store took a change;
     * it holds no '/', so it is never a schedule's key and readers of the commands skip it.
     */
    public static final String JOBS_CHANGED_KEY = "jobs-changed";

    /** The Kafka Streams application id of the schedule engine. */
    public static String applicationId(Topics topics) {
        return topics.applicationId("scheduler");
    }

    public static List<TopicSpec> specs(Topics topics, TopicDefaults d) {
        return List.of(TopicSpec.compacted(control(topics), 1, d.replicationFactor()).withConfigs(d.topicConfigs()));
    }
}
