package dev.baton.gateway.internal.schedules;

import dev.baton.platform.CompactedTopicView;
import dev.baton.platform.config.BatonConfig;
import dev.baton.scheduler.api.ScheduleStatus;
import dev.baton.scheduler.api.ScheduleStatusView;
import dev.baton.scheduler.api.SchedulerControl;
import dev.baton.scheduler.api.SchedulerTopics;
import java.util.Optional;

/**
 * The gateway's side of the scheduler: the published status of every schedule ({@link ScheduleStatusView}), the
 * desired runtime pauses (the latest {@link SchedulerControl.Command} per schedule on the control topic), which the
 * API compares with the override the scheduler has applied to show a change that is not in effect yet, and the writer of pause/resume commands
 * ({@link SchedulerControl}). All calls block (Kafka round trips): use them from a worker, never an event loop.
 */
public final class Schedules implements AutoCloseable {
    private final ScheduleStatusView statuses;
    private final CompactedTopicView<SchedulerControl.Command> desired;
    private final SchedulerControl control;

    private Schedules(ScheduleStatusView statuses, CompactedTopicView<SchedulerControl.Command> desired, SchedulerControl control) {
        this.statuses = statuses;
        this.desired = desired;
        this.control = control;
    }

    /** Opens the readers and the writer. The status and control topics must exist (the gateway creates both). */
    public static Schedules open(BatonConfig config) {
        ScheduleStatusView statuses = ScheduleStatusView.open(config);
        CompactedTopicView<SchedulerControl.Command> desired = null;
        try {
            desired = SchedulerControl.commands(config);
            return new Schedules(statuses, desired, SchedulerControl.create(config));
        } catch (RuntimeException e) {
            if (desired != null) {
                desired.close();
            }
            statuses.close();
            throw e;
        }
    }

    /** Reads the statuses and commands committed up to now, so a change made before this call is seen. */
    public void refresh() {
        statuses.refresh();
        desired.refresh();
    }

    /** The scheduler's published status, as of the last {@link #refresh()}; empty until it has seen the schedule. */
    public Optional<ScheduleStatus> status(String job, String schedule) {
        return statuses.get(job, schedule);
    }

    /** The latest pause/resume command, as of the last {@link #refresh()}; empty when none is in force. */
    public Optional<SchedulerControl.Command> desired(String job, String schedule) {
        return desired.get(SchedulerTopics.key(job, schedule));
    }

    public void pause(String job, String schedule, String actor, String reason) {
        control.pause(job, schedule, actor, reason);
    }

    public void resume(String job, String schedule, String actor, String reason) {
        control.resume(job, schedule, actor, reason);
    }

    /** Removes the runtime override: the job file's {@code paused} applies again. */
    public void clear(String job, String schedule) {
        control.clear(job, schedule);
    }

    @Override
    public void close() {
        control.close();
        desired.close();
        statuses.close();
    }
}
