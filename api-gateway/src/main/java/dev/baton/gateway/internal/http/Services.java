package dev.baton.gateway.internal.http;

import dev.baton.gateway.GatewayConfig;
import dev.baton.gateway.Secrets;
import dev.baton.gateway.internal.kafka.EventProducer;
import dev.baton.gateway.internal.registry.RegistrationClient;
import dev.baton.gateway.internal.readmodel.ReadModel;
import dev.baton.gateway.internal.readmodel.ReadModelTopology;
import dev.baton.gateway.internal.schedules.Schedules;
import dev.baton.platform.Topics;
import dev.baton.schemas.serde.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;

/** What the HTTP layer works with; built by {@code Gateway.start}. */
public record Services(
        GatewayConfig config,
        Topics topics,
        Vertx vertx,
        WorkerExecutor worker,
        ReadModel readModel,
        ReadModelTopology.Codecs codecs,
        EventProducer producer,
        Admin admin,
        SchemaRegistryClient registry,
        TokenStore tokens,
        /** Schedule statuses, desired pauses and the pause/resume writer (blocking: use from the worker). */
        Schedules schedules,
        MeterRegistry meters,
        PrometheusMeterRegistry prometheus,
        /** Sends registrations to the job registry and waits for its answers (the registry, not this process, decides). */
        RegistrationClient registrations,
        /** Runs this process accepted that the read model may not show yet, by run id. */
        Map<String, PendingRun> pendingRuns,
        /** Values of named secrets (webhook signatures). */
        Secrets secrets,
        /**
         * Whether this gateway drives the running backfills (launches their partitions): exactly one gateway of a cluster
         * does, the one running the job registry's task; null when this is the only one (handler tests).
         */
        java.util.function.BooleanSupplier drivesBackfills) {

    /** Services of a gateway that is the only one (it drives every backfill). */
    public Services(GatewayConfig config, Topics topics, Vertx vertx, WorkerExecutor worker, ReadModel readModel,
                    ReadModelTopology.Codecs codecs, EventProducer producer, Admin admin, SchemaRegistryClient registry,
                    TokenStore tokens, Schedules schedules, MeterRegistry meters, PrometheusMeterRegistry prometheus,
                    RegistrationClient registrations, Map<String, PendingRun> pendingRuns, Secrets secrets) {
        this(config, topics, vertx, worker, readModel, codecs, producer, admin, registry, tokens, schedules, meters, prometheus,
                registrations, pendingRuns, secrets, null);
    }

    /** A run request (or retry) this gateway produced, kept for {@code gateway.pending.ttl.ms}. */
    public record PendingRun(String runId, String job, Integer version, String runKey, String origin, String requestedBy,
                             Map<String, String> params, Map<String, String> tags, String parentRunId, long acceptedAt,
                             String partition) {}

    public static Map<String, PendingRun> newPendingRuns() {
        return new ConcurrentHashMap<>();
    }
}
