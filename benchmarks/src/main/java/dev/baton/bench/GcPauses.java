package dev.baton.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The stop-the-world pauses of this JVM (broker, registry, coordinator, agent and harness share it in {@code throughput})
 * over a measured phase: how many, their sum and the longest, from the JDK's collection notifications. G1 reports its
 * young and mixed pauses under "G1 Young Generation", full collections under "G1 Old Generation", and the remark and
 * cleanup pauses of a concurrent cycle under "G1 Concurrent GC"; ZGC's pause beans are named "... Pauses" (its
 * "... Cycles" are concurrent and not counted). A pause stops every component at once, and at a rate that keeps the two
 * cores mostly busy the backlog it leaves takes several times its length to drain: a source of the tail.
 */
final class GcPauses implements AutoCloseable {
    private final List<double[]> pauses = new ArrayList<>(); // {end ms of uptime, duration ms}
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (n, h) -> {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        if (info.getGcName().endsWith("Cycles")) {
            return;
        }
        synchronized (pauses) {
            pauses.add(new double[] {info.getGcInfo().getEndTime(), info.getGcInfo().getDuration()});
        }
    };

    GcPauses() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
    }

    /** Pauses from now on: a mark to pass to {@link #since}. */
    int mark() {
        synchronized (pauses) {
            return pauses.size();
        }
    }

    /** Count, sum (ms) and longest (ms) of the pauses since {@code mark}. */
    double[] since(int mark) {
        double sum = 0;
        double max = 0;
        int n;
        synchronized (pauses) {
            n = pauses.size() - mark;
            for (double[] p : pauses.subList(mark, pauses.size())) {
                sum += p[1];
                max = Math.max(max, p[1]);
            }
        }
        return new double[] {n, sum, max};
    }

    /** The collector and its pause target, printed with the figures (the JVM's defaults unless given on its command line). */
    static String settings() {
        StringBuilder b = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            b.append(b.isEmpty() ? "" : ", ").append(gc.getName());
        }
        try {
            var hs = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            b.append("; MaxGCPauseMillis=").append(hs.getVMOption("MaxGCPauseMillis").getValue())
                    .append(", max heap ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB");
        } catch (RuntimeException notHotSpot) {
            // another JVM: the collectors' names only
        }
        return b.toString();
    }

    static String describe(double[] s, double seconds) {
        return String.format(Locale.ROOT, "GC pauses %.0f, %.0f ms in all (%.1f%% of the level's wall time), longest %.0f ms",
                s[0], s[1], seconds <= 0 ? 0 : s[1] / (seconds * 10), s[2]);
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // not registered
            }
        }
    }
}
