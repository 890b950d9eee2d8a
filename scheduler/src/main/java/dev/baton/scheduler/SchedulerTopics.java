package dev.baton.scheduler;

import dev.baton.platform.TopicDefaults;
import dev.baton.platform.TopicSpec;
import dev.baton.platform.Topics;
import java.util.List;

/**
 * Topics the scheduler owns besides the standard ones: the schedule control topic (runtime pause and resume,
 * compacted, key {@code job/schedule}; see {@link SchedulerControl}). {@code Topics.schedulerState()} carries the
 * published {@link ScheduleStatus} of every schedule.
 */
public final class SchedulerTopics {
    private SchedulerTopics() {}

    public static String control(Topics topics) {
        return topics.schedulerControl();
    }

    /** The Kafka Streams application id of the schedule engine. */
    public static String applicationId(Topics topics) {
        return topics.applicationId("scheduler");
    }

    public static List<TopicSpec> specs(Topics topics, TopicDefaults d) {
        return List.of(TopicSpec.compacted(control(topics), 1, d.replicationFactor()));
    }
}
