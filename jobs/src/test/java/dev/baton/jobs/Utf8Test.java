package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Job files given as bytes are decoded strictly: invalid UTF-8 is rejected with its offset, never replaced. */
class Utf8Test {
    private static final String JOB = "name: x\nsteps:\n  - key: a\n    run: echo ";

    private static byte[] withBytes(String before, int... raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        for (int b : raw) {
            out.write(b);
        }
        out.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void validUtf8ParsesAsTheText() {
        byte[] bytes = (JOB + "grüße ✓\n").getBytes(StandardCharsets.UTF_8);
        assertThat(JobParser.parse(bytes, Format.YAML, TestJobs.AT))
                .isEqualTo(JobParser.parse(JOB + "grüße ✓\n", Format.YAML, TestJobs.AT));
        assertThat(JobParser.validate(bytes, Format.YAML)).isEmpty();
    }

    @Test
    void aLatin1ByteIsRejectedWithItsOffsetAndLine() {
        byte[] bytes = withBytes(JOB + "gr", 0xFC, 'n'); // "grün" saved as ISO-8859-1
        int offset = (JOB + "gr").getBytes(StandardCharsets.UTF_8).length;
        JobValidationException e = catchThrowableOfType(JobValidationException.class,
                () -> JobParser.parse(bytes, Format.YAML, TestJobs.AT));
        assertThat(e.problems()).containsExactly(new Problem("$", "the file is not valid UTF-8: invalid byte 0xFC at"
                + " byte offset " + offset + " (line 4); save the file as UTF-8"));
        assertThat(JobParser.validate(bytes, Format.YAML)).isEqualTo(e.problems());
    }

    @Test
    void aTruncatedSequenceAtTheEndIsRejected() {
        byte[] full = (JOB + "€").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(full, full.length - 1); // the euro sign without its last byte
        JobValidationException e = catchThrowableOfType(JobValidationException.class,
                () -> JobParser.decode(bytes));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.message())
                .isEqualTo("the file is not valid UTF-8: invalid bytes 0xE2 0x82 at byte offset " + (full.length - 3)
                        + " (line 4); save the file as UTF-8"));
    }

    @Test
    void anOverlongEncodingIsRejected() {
        // 0xC0 0xAF is an overlong '/', which lenient decoders have been known to accept.
        assertThat(JobParser.validate(withBytes("name: x", 0xC0, 0xAF), Format.YAML)).singleElement()
                .satisfies(p -> assertThat(p.message()).startsWith("the file is not valid UTF-8: invalid byte 0xC0 at byte offset 7 (line 1)"));
    }
}
