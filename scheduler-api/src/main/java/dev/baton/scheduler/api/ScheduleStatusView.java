package dev.baton.scheduler.api;

import dev.baton.platform.CompactedTopicView;
import dev.baton.platform.config.BatonConfig;
import java.util.List;
import java.util.Optional;

/**
 * Reads the published {@link ScheduleStatus} of every schedule from {@link SchedulerTopics#status} (for the
 * gateway's schedule endpoints and the CLI). Each {@link #refresh()} reads up to the current end of the topic, so a
 * status committed before the call is seen; an aborted tick's status never shows. Thread-safe.
 */
public final class ScheduleStatusView implements AutoCloseable {
    private final CompactedTopicView<ScheduleStatus> view;

    private ScheduleStatusView(CompactedTopicView<ScheduleStatus> view) {
        this.view = view;
    }

    public static ScheduleStatusView open(BatonConfig config) {
        return new ScheduleStatusView(CompactedTopicView.open(config.kafkaClient(), SchedulerTopics.status(config.topics()),
                true, bytes -> ScheduleJson.read(bytes, ScheduleStatus.class)));
    }

    /** Reads what has been committed since the last call. */
    public ScheduleStatusView refresh() {
        view.refresh();
        return this;
    }

    /** Every schedule, ordered by {@code job/schedule}, as of the last {@link #refresh()}. */
    public List<ScheduleStatus> all() {
        return view.values();
    }

    public Optional<ScheduleStatus> get(String job, String schedule) {
        return view.get(SchedulerTopics.key(job, schedule));
    }

    @Override
    public void close() {
        view.close();
    }
}
