package dev.baton.bench;

import dev.baton.coordinator.Coordinator;
import dev.baton.coordinator.CoordinatorConfig;
import dev.baton.coordinator.StartupTimeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/** A coordinator in its own JVM, for the recovery benchmark (which kills it with SIGKILL). Prints READY when running. */
public final class CoordinatorProcess {
    private CoordinatorProcess() {}

    public static void main(String[] args) throws Exception {
        Map<String, Object> c = new java.util.HashMap<>(Map.of(
                "bootstrap.servers", args[0],
                "schema.registry.url", args[1],
                "topic.prefix", args[2],
                CoordinatorConfig.STATE_DIR, args[3],
                CoordinatorConfig.INSTANCE_ID, args[4]));
        for (int i = 5; i + 1 < args.length; i += 2) {
            c.put(args[i], args[i + 1]);
        }
        long main = System.currentTimeMillis();
        Coordinator coordinator = Coordinator.start(new CoordinatorConfig(c), new SimpleMeterRegistry());
        // SIGTERM: leave the group cleanly (SIGKILL, the benchmark's crash, skips this).
        Runtime.getRuntime().addShutdownHook(new Thread(coordinator::close));
        while (!coordinator.ready()) {
            Thread.sleep(20);
        }
        // Wall-clock phases of this start, for the recovery scenario's breakdown (epoch ms; 0: not reached).
        StartupTimeline t = coordinator.startup();
        System.out.println("PHASE jvm " + java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        System.out.println("PHASE main " + main);
        System.out.println("PHASE coordinator_start " + t.begin());
        System.out.println("PHASE topics " + t.topicsReady());
        System.out.println("PHASE streams_created " + t.created());
        System.out.println("PHASE streams_start " + t.started());
        System.out.println("PHASE streams_start_returned " + t.startReturned());
        System.out.println("PHASE restore_start " + t.restoreStart());
        System.out.println("PHASE restore_end " + t.restoreEnd());
        System.out.println("PHASE running " + t.running());
        System.out.println("PHASE restored_records " + t.restoredRecords());
        // CPU this JVM spent to get here (all threads, JIT and GC included): comparable across loads, unlike wall time.
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long process = os.getProcessCpuTime() / 1_000_000;
            System.out.println("PHASE cpu_ms_at_running " + process);
            // Where that CPU went: Java threads by name (numbers folded), the rest is the JVM's own (JIT compilers, GC).
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            Map<String, Long> byName = new java.util.TreeMap<>();
            long javaThreads = 0;
            for (long id : threads.getAllThreadIds()) {
                var info = threads.getThreadInfo(id);
                long ns = threads.getThreadCpuTime(id);
                if (info != null && ns > 0) {
                    byName.merge(ThreadCpu.kind(info.getThreadName()),
                            ns / 1_000_000, Long::sum);
                    javaThreads += ns / 1_000_000;
                }
            }
            StringBuilder b = new StringBuilder("CPU at running (ms): process " + process + ", JVM internal (JIT, GC) "
                    + (process - javaThreads));
            byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .forEach(e -> b.append(", ").append(e.getKey()).append(' ').append(e.getValue()));
            System.out.println(b);
        }
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }
}
