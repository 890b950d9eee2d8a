package dev.baton.coordinator.internal.admission;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/** Holders of slots and the waiting line of one job or pool: highest priority first, then first come. */
public record AdmissionState(int limit, LinkedHashSet<String> active, List<Waiting> queue) {

    public record Waiting(String id, String runId, String stepKey, int priority, long seq, String traceId) {}

    private static final Comparator<Waiting> ORDER =
            Comparator.comparingInt(Waiting::priority).reversed().thenComparingLong(Waiting::seq);

    public static AdmissionState empty(int limit) {
        return new AdmissionState(limit, new LinkedHashSet<>(), new ArrayList<>());
    }

    public boolean knows(String id) {
        return active.contains(id) || queue.stream().anyMatch(w -> w.id().equals(id));
    }

    public AdmissionState withLimit(int newLimit) {
        return new AdmissionState(newLimit, active, queue);
    }

    /** Adds a request to the waiting line (a repeated request is ignored); {@link #admit()} lets it in. */
    public void request(Waiting w) {
        if (!knows(w.id())) {
            queue.add(w);
            queue.sort(ORDER);
        }
    }

    public void release(String id) {
        active.remove(id);
        queue.removeIf(w -> w.id().equals(id));
    }

    /** Moves waiting requests into free slots; returns those admitted. */
    public List<Waiting> admit() {
        List<Waiting> admitted = new ArrayList<>();
        while (active.size() < limit && !queue.isEmpty()) {
            Waiting w = queue.removeFirst();
            active.add(w.id());
            admitted.add(w);
        }
        return admitted;
    }
}
