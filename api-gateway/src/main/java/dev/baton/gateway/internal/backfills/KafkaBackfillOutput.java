package dev.baton.gateway.internal.backfills;

import dev.baton.events.BackfillEvent;
import dev.baton.events.ControlCommand;
import dev.baton.events.RunRequest;
import dev.baton.gateway.internal.kafka.EventProducer;
import dev.baton.platform.Topics;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Backfill events on {@code baton.backfill-events}, run requests and control commands on their topics. */
public final class KafkaBackfillOutput implements BackfillOutput {
    private final Topics topics;
    private final EventProducer producer;

    public KafkaBackfillOutput(Topics topics, EventProducer producer) {
        this.topics = topics;
        this.producer = producer;
    }

    @Override
    public void append(BackfillEvent event) {
        try {
            producer.kafkaProducer().send(record(event)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write an event of backfill " + event.getBackfillId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void appendAsync(BackfillEvent event, Consumer<Exception> onFailure) {
        producer.kafkaProducer().send(record(event), (md, e) -> {
            if (e != null) {
                onFailure.accept(e);
            }
        });
    }

    private ProducerRecord<String, byte[]> record(BackfillEvent event) {
        return new ProducerRecord<>(topics.backfillEvents(), event.getBackfillId(),
                producer.serialize(topics.backfillEvents(), event));
    }

    @Override
    public void request(RunRequest r, Consumer<Exception> done) {
        producer.kafkaProducer().send(new ProducerRecord<>(topics.runRequests(), r.getRunId(),
                producer.serialize(topics.runRequests(), r)), (md, e) -> done.accept(e));
    }

    @Override
    public void control(ControlCommand c) {
        producer.kafkaProducer().send(new ProducerRecord<>(topics.runControl(), c.getRunId(),
                producer.serialize(topics.runControl(), c)));
    }

    @Override
    public void flush() {
        producer.kafkaProducer().flush();
    }
}
