package dev.baton.platform.config;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** How many brokers the cluster has, asked once at start to choose replication (see {@code topic.replication.factor}). */
final class ClusterSize {
    private static final long TIMEOUT_S = 60;

    private ClusterSize() {}

    static int brokers(Map<String, Object> kafkaClient) {
        Map<String, Object> p = new HashMap<>(kafkaClient);
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "baton-cluster-size");
        try (Admin admin = Admin.create(p)) {
            return admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS).size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking Kafka for its brokers", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Kafka is not reachable (describe cluster, to choose the replication factor; "
                    + "set topic.replication.factor to skip): " + c.getMessage(), c);
        }
    }
}
