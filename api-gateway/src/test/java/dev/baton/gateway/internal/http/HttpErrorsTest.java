package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
    @Test
    void aRecordTooLargeForKafkaIs413NamingTheLimitNeverARetryable503() {
        ApiError e = Http.toApiError(new ExecutionException(new RecordTooLargeException("The message is 2000000 bytes when serialized "
                + "which is larger than 1048576, which is the value of the max.request.size configuration.")));
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.code()).isEqualTo(ApiError.PAYLOAD_TOO_LARGE);
        assertThat(e.getMessage()).contains("max.request.size");
    }

    @Test
    void kafkaTimeoutsStay503() {
        assertThat(Http.toApiError(new TimeoutException("no answer")).status()).isEqualTo(503);
    }

    @Test
    void strictUtf8NamesTheOffsetOfTheFirstBadByte() {
        byte[] b = {'a', 'b', (byte) 0xC3, (byte) 0xA9, 'c', (byte) 0xFF, 'd'};
        try {
            JobHandlers.strictUtf8(b);
            throw new AssertionError("accepted invalid UTF-8");
        } catch (ApiError e) {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("byte offset 5");
        }
        assertThat(JobHandlers.strictUtf8("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo("héllo");
    }
}
