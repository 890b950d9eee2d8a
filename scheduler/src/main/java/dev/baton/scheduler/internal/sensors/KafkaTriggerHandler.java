package dev.baton.scheduler.internal.sensors;

import dev.baton.events.JobDefinition;
import dev.baton.events.KafkaTrigger;
import dev.baton.events.Origin;
import dev.baton.events.RunRequest;
import dev.baton.jobs.JobExpressions;
import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.JobParams;
import dev.baton.jobs.Problem;
import dev.baton.jobs.Templates;
import dev.baton.jobs.TriggerRecord;
import dev.baton.platform.RunIds;
import dev.baton.schemas.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.MapContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

/**
 * A Kafka sensor's record handling: decode the value, evaluate the JEXL filter over {@code key}, {@code value},
 * {@code headers}, {@code topic}, {@code partition}, {@code offset} and {@code timestamp} (epoch ms), template the
 * params and the run key from the record, and build the run request. The default run key is
 * {@code sensor:<topic>/<partition>/<offset>}.
 *
 * <p>Dead-letter causes: the value decoder's (NOT_JSON, NOT_WIRE_FORMAT, UNKNOWN_SCHEMA_ID, UNUSABLE_SCHEMA,
 * CORRUPT_PAYLOAD), FILTER_ERROR (the filter failed or did not return a boolean), TEMPLATE_ERROR (a param or the run
 * key could not be resolved).
 */
public final class KafkaTriggerHandler implements RecordHandler {
    private final KafkaTrigger trigger;
    private final JexlExpression filter;
    private final ValueDecoder decoder;

    public KafkaTriggerHandler(KafkaTrigger trigger, SchemaRegistryClient registry) {
        this.trigger = trigger;
        this.filter = trigger.getFilter() == null ? null : JobExpressions.compileFilter(trigger.getFilter());
        this.decoder = new ValueDecoder(trigger.getFormat(), registry);
    }

    @Override
    public Outcome handle(ConsumerRecord<byte[], byte[]> rec, JobDefinition job, Instant now) {
        Object value;
        try {
            value = decoder.decode(rec.topic(), rec.value());
        } catch (ValueDecoder.UndecodableException e) {
            return new Outcome.DeadLetter(e.deadLetterCause(), e.getMessage());
        }
        String key = rec.key() == null ? null : new String(rec.key(), StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : rec.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        Instant timestamp = rec.timestampType() == TimestampType.NO_TIMESTAMP_TYPE ? null : Instant.ofEpochMilli(rec.timestamp());
        if (filter != null) {
            MapContext ctx = new MapContext();
            ctx.set("key", key);
            ctx.set("value", value);
            ctx.set("headers", headers);
            ctx.set("topic", rec.topic());
            ctx.set("partition", rec.partition());
            ctx.set("offset", rec.offset());
            ctx.set("timestamp", rec.timestamp());
            Object result;
            try {
                result = filter.evaluate(ctx);
            } catch (RuntimeException e) {
                return new Outcome.DeadLetter("FILTER_ERROR", "filter '" + trigger.getFilter() + "' failed: " + e.getMessage());
            }
            if (!(result instanceof Boolean matched)) {
                return new Outcome.DeadLetter("FILTER_ERROR", "filter '" + trigger.getFilter() + "' returned "
                        + (result == null ? "null" : result.getClass().getSimpleName() + " " + result) + ", not a boolean");
            }
            if (!matched) {
                return Outcome.FILTERED;
            }
        }
        TriggerRecord record = new TriggerRecord(rec.topic(), rec.partition(), rec.offset(), timestamp, key, headers, value);
        TemplateContext ctx = TemplateContext.builder().trigger(record).build();
        String runKey;
        Map<String, String> params;
        try {
            runKey = trigger.getRunKey() == null ? RunIds.sensorKey(rec.topic(), rec.partition(), rec.offset())
                    : Templates.resolve(trigger.getRunKey(), ctx);
            params = Templates.resolveValues(trigger.getParams(), ctx);
        } catch (RuntimeException e) {
            return new Outcome.DeadLetter("TEMPLATE_ERROR", e.getMessage());
        }
        // The record's mapped values must fit the job's param declarations: no run for a value that does not.
        List<Problem> problems = JobParams.check(job, params);
        if (!problems.isEmpty()) {
            return new Outcome.DeadLetter("INVALID_PARAMS", "trigger '" + trigger.getName() + "': " + JobParams.reason(problems));
        }
        String runId = RunIds.forRunKey(job.getName(), runKey);
        String eventId = UUID.nameUUIDFromBytes(("sensor-request\u0000" + runId).getBytes(StandardCharsets.UTF_8)).toString();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("baton.trigger", trigger.getName());
        tags.put("baton.source", rec.topic() + "/" + rec.partition() + "/" + rec.offset());
        var trace = dev.baton.scheduler.internal.TriggerSpans.sensorRecord(runId, job.getName(), trigger.getName(),
                rec.topic() + "/" + rec.partition() + "/" + rec.offset(), rec.topic(),
                headers.get(dev.baton.platform.tracing.TraceContext.TRACEPARENT),
                headers.get(dev.baton.platform.tracing.TraceContext.TRACESTATE), timestamp, now);
        return new Outcome.Request(RunRequest.newBuilder()
                .setEventId(eventId)
                .setRunId(runId)
                .setTimestamp(now)
                .setTraceId(eventId)
                .setJob(job.getName())
                .setRunKey(runKey)
                .setParams(params)
                .setTags(tags)
                .setOrigin(Origin.SENSOR)
                .setRequestedBy("sensor:" + trigger.getName())
                .setDefinition(job)
                .setTraceparent(trace == null ? null : trace.traceparent())
                .setTracestate(trace == null ? null : trace.tracestate())
                .build());
    }
}
