package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The periodic log flush runs only while some attempt's log is open (LogShipper.whileAnyOpen). */
class LogShipperFlushScheduleTest {
    @Test
    void startsWithTheFirstOpenLogAndStopsWithTheLastClosed() {
        // Nothing is written, so neither the codec nor the commands (only kept for messages) are read.
        LogShipper shipper = new LogShipper(new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
                null, "logs", "agent", null);
        List<String> events = new ArrayList<>();
        shipper.whileAnyOpen(() -> events.add("start"), () -> events.add("stop"));
        assertThat(events).isEmpty();

        LogShipper.AttemptLog a = shipper.open(null);
        LogShipper.AttemptLog b = shipper.open(null);
        assertThat(events).containsExactly("start");
        a.close();
        assertThat(events).containsExactly("start");
        b.close();
        assertThat(events).containsExactly("start", "stop");
        shipper.open(null).close();
        assertThat(events).containsExactly("start", "stop", "start", "stop");
    }

    @Test
    void aHookSetWhileALogIsOpenStartsAtOnce() {
        LogShipper shipper = new LogShipper(new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()),
                null, "logs", "agent", null);
        LogShipper.AttemptLog a = shipper.open(null);
        List<String> events = new ArrayList<>();
        shipper.whileAnyOpen(() -> events.add("start"), () -> events.add("stop"));
        assertThat(events).containsExactly("start");
        a.close();
        assertThat(events).containsExactly("start", "stop");
    }
}
