package dev.baton.platform;

import java.util.Objects;

/**
 * What a component says about itself on {@code /health}: {@link Status#UP} when it does its job,
 * {@link Status#STARTING} while it joins its groups or restores state (it will get there by itself),
 * {@link Status#DOWN} when an essential thread died or the process hit an error it cannot recover from
 * (it will not get better: the {@link Watchdog} ends the process so that a supervisor restarts it), and
 * {@link Status#STOPPED} once it was closed on purpose.
 *
 * @param reason why it is not UP (which thread, what happened); empty when UP
 */
public record ServiceHealth(Status status, String reason) {
    /** A component's state as far as health checks and supervisors are concerned. */
    public enum Status { UP, STARTING, DOWN, STOPPED }

    public static final ServiceHealth UP = new ServiceHealth(Status.UP, "");
    public static final ServiceHealth STOPPED = new ServiceHealth(Status.STOPPED, "closed");

    public ServiceHealth {
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }

    public static ServiceHealth starting(String reason) {
        return new ServiceHealth(Status.STARTING, reason);
    }

    public static ServiceHealth down(String reason) {
        return new ServiceHealth(Status.DOWN, reason);
    }

    public boolean up() {
        return status == Status.UP;
    }

    public boolean down() {
        return status == Status.DOWN;
    }

    /** The first DOWN of {@code parts}, else the first that is not UP, else UP: a component is as healthy as its worst part. */
    public static ServiceHealth worst(java.util.List<ServiceHealth> parts) {
        ServiceHealth notUp = null;
        for (ServiceHealth h : parts) {
            if (h.down()) {
                return h;
            }
            if (!h.up() && notUp == null) {
                notUp = h;
            }
        }
        return notUp == null ? UP : notUp;
    }
}
