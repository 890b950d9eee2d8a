package dev.baton.gateway.internal.http;

import dev.baton.events.AssetTrigger;
import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.TriggerSpec;
import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.internal.api.SensorResponses;
import dev.baton.gateway.internal.readmodel.ReadStores;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sensors: every Kafka and asset trigger of the registered jobs with its lag, read from Kafka (the trigger's consumer
 * group, which the scheduler names {@code <prefix>sensor.<job>.<trigger>} or {@code <prefix>asset-trigger.<job>.<trigger>},
 * against the topic's end offsets), and whether it waits for its topic.
 */
final class SensorHandlers {
    private static final Logger log = LoggerFactory.getLogger(SensorHandlers.class);
    /** Most sensors one call measures (each costs a few Kafka admin calls). */
    static final int MAX_SENSORS = 500;

    private final Services s;
    private final ReadStores stores;
    private final Replies replies;

    SensorHandlers(Services services, ReadStores stores, Replies replies) {
        this.s = services;
        this.stores = stores;
        this.replies = replies;
    }

    /** {@code GET /sensors[?job=]}: by job and trigger name. */
    void list(RoutingContext ctx) {
        String only = Requests.query(ctx, "job");
        replies.ok(ctx, () -> {
            List<SensorResponses.Sensor> out = new ArrayList<>();
            Set<String> topicsThere = topicNames();
            for (JobDefinition d : stores.latestJobs().values()) {
                if ((only != null && !only.equals(d.getName())) || !AccessControl.allows(ctx, d.getName())) {
                    continue;
                }
                for (TriggerSpec t : d.getTriggers()) {
                    if (out.size() >= MAX_SENSORS) {
                        break;
                    }
                    out.add(switch (t.getTrigger()) {
                        case KafkaTrigger k -> measure(d, k.getName(), "KAFKA", k.getTopic(), null,
                                s.topics().applicationId("sensor." + d.getName() + "." + k.getName()), topicsThere);
                        case AssetTrigger a -> measure(d, a.getName(), "ASSET", s.topics().lineage(), List.copyOf(a.getAssets()),
                                s.topics().applicationId("asset-trigger." + d.getName() + "." + a.getName()), topicsThere);
                        default -> throw new IllegalStateException("unknown trigger " + t.getTrigger().getClass());
                    });
                }
            }
            return new SensorResponses.SensorList(out);
        });
    }

    private long timeoutMs() {
        return s.config().getLong(GatewayConfig.HEALTH_TIMEOUT_MS);
    }

    /** The topics there are, or null when Kafka did not answer. */
    private Set<String> topicNames() {
        if (s.admin() == null) {
            return null;
        }
        try {
            return s.admin().listTopics().names().get(timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.debug("cannot list topics", e);
            return null;
        }
    }

    private SensorResponses.Sensor measure(JobDefinition d, String name, String kind, String topic, List<String> assets,
                                           String group, Set<String> topicsThere) {
        if (topicsThere == null) {
            return new SensorResponses.Sensor(d.getName(), d.getVersion(), name, kind, topic, assets, group, "UNKNOWN", null, null);
        }
        if (!topicsThere.contains(topic)) {
            return new SensorResponses.Sensor(d.getName(), d.getVersion(), name, kind, topic, assets, group, "WAITING_FOR_TOPIC", null, null);
        }
        try {
            long t = timeoutMs();
            TopicDescription desc = s.admin().describeTopics(List.of(topic)).allTopicNames().get(t, TimeUnit.MILLISECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            desc.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = s.admin().listOffsets(latest).all().get(t, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = s.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(t, TimeUnit.MILLISECONDS);
            long lag = 0;
            boolean any = false;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (c != null) {
                    any = true;
                    lag += Math.max(0, e.getValue().offset() - c.offset());
                }
            }
            String state = !any ? "NOT_STARTED" : lag == 0 ? "CAUGHT_UP" : "LAGGING";
            return new SensorResponses.Sensor(d.getName(), d.getVersion(), name, kind, topic, assets, group, state, any ? lag : null,
                    desc.partitions().size());
        } catch (Exception e) {
            log.debug("cannot measure sensor {}/{}", d.getName(), name, e);
            return new SensorResponses.Sensor(d.getName(), d.getVersion(), name, kind, topic, assets, group, "UNKNOWN", null, null);
        }
    }
}
