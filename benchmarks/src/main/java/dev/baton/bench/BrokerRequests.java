package dev.baton.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The embedded broker's request counts by type (its {@code RequestsPerSec} meters' counts, all versions summed), to
 * print a phase's broker requests per run: the broker's cost is per request more than per byte (docs/benchmarks.md).
 * Counts cover every client of the broker: the stack's, the harness's (watcher, command clock, request producer) and
 * the broker's own inter-broker senders (partition verification, markers, share-group state).
 */
final class BrokerRequests {
    private BrokerRequests() {}

    /** Requests handled so far, by request type. */
    static Map<String, Long> counts() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> m = new TreeMap<>();
        try {
            for (ObjectName n : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                String request = n.getKeyProperty("request");
                // FetchConsumer and FetchFollower are the Fetch requests again, split by sender.
                if (request != null && !request.equals("FetchConsumer") && !request.equals("FetchFollower")
                        && server.getAttribute(n, "Count") instanceof Long c) {
                    m.merge(request, c, Long::sum);
                }
            }
        } catch (Exception e) {
            // no broker in this JVM, or its meters changed: the phase prints no request counts
            return Map.of();
        }
        return m;
    }

    /** Requests per run between two snapshots, largest first, those of at least 0.01 per run. */
    static Map<String, Double> perRun(Map<String, Long> before, Map<String, Long> after, long runs) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (runs <= 0) {
            return m;
        }
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) runs))
                .filter(e -> e.getValue() >= 0.01)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    static double total(Map<String, Double> perRun) {
        return perRun.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    static String describe(Map<String, Double> perRun) {
        return String.format(Locale.ROOT, "%.1f in all, ", total(perRun)) + perRun.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
