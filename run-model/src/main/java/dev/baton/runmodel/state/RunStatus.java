package dev.baton.runmodel.state;

public enum RunStatus {
    REQUESTED, QUEUED, RUNNING, CANCELING, SUCCEEDED, FAILED, CANCELED;

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }
}
