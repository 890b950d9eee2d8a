package dev.baton.jobs;

import dev.baton.events.JobDefinition;
import dev.baton.jobs.internal.JobChecks;
import dev.baton.jobs.internal.JobReader;
import dev.baton.jobs.internal.Node;
import dev.baton.jobs.internal.ParsedJob;
import dev.baton.jobs.internal.Problems;
import dev.baton.jobs.internal.TreeReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Parses and validates job files (the format is documented in docs/jobs.md). Thread-safe, stateless. */
public final class JobParser {
    private JobParser() {}

    /**
     * Parses a job file into the Avro model.
     *
     * @param registeredAt stored as {@code registeredAt} (truncated to milliseconds, the Avro precision);
     *                     {@code version} is 1, the registrar assigns the real one; {@code source} is {@code text}
     * @throws JobValidationException with every problem found
     */
    public static JobDefinition parse(String text, Format format, Instant registeredAt) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Problems problems = new Problems();
        JobDefinition definition = read(text, format, registeredAt, problems);
        if (!problems.isEmpty()) {
            throw new JobValidationException(problems.list());
        }
        return definition;
    }

    /** Every problem in the file, or an empty list when {@link #parse} would succeed. For linting. */
    public static List<Problem> validate(String text, Format format) {
        Problems problems = new Problems();
        read(text, format, Instant.EPOCH, problems);
        return problems.list();
    }

    /**
     * Parses a job file given as bytes, which must be UTF-8: invalid bytes are rejected (a problem naming the byte
     * offset and line), never replaced. Otherwise as {@link #parse(String, Format, Instant)}.
     *
     * @throws JobValidationException with every problem found
     */
    public static JobDefinition parse(byte[] bytes, Format format, Instant registeredAt) {
        return parse(decode(bytes), format, registeredAt);
    }

    /** As {@link #validate(String, Format)} for a file given as bytes, which must be UTF-8. */
    public static List<Problem> validate(byte[] bytes, Format format) {
        try {
            return validate(decode(bytes), format);
        } catch (JobValidationException e) {
            return e.problems();
        }
    }

    /**
     * Decodes a job file strictly as UTF-8 (a leading byte-order mark is kept, as {@code Files.readString} keeps
     * it).
     *
     * @throws JobValidationException with one problem at {@code $} naming the offset of the first invalid byte
     */
    public static String decode(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            StringBuilder bad = new StringBuilder();
            for (int i = offset; i < Math.min(bytes.length, offset + result.length()); i++) {
                bad.append(bad.isEmpty() ? "" : " ").append(String.format("0x%02X", bytes[i] & 0xFF));
            }
            throw new JobValidationException(List.of(new Problem("$", "the file is not valid UTF-8: invalid "
                    + (result.length() == 1 ? "byte " : "bytes ") + bad + " at byte offset " + offset + " (line " + line
                    + "); save the file as UTF-8")));
        }
        return out.flip().toString();
    }

    private static JobDefinition read(String text, Format format, Instant registeredAt, Problems problems) {
        Node root = new TreeReader(problems).read(text, format);
        if (root == null) {
            return null;
        }
        ParsedJob parsed = new JobReader(problems).read(root);
        new JobChecks(problems, parsed).check();
        JobDefinition definition = parsed.job
                .setSource(text)
                .setRegisteredAt(registeredAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
        assetCycles(definition, parsed, problems);
        JobLimits.check(definition).forEach(p -> problems.add(p.path(), p.message()));
        return definition;
    }

    /** Asset cycles inside the job (explicit deps against the step order); duplicates are reported by JobChecks. */
    private static void assetCycles(JobDefinition definition, ParsedJob parsed, Problems problems) {
        try {
            AssetGraph.of(List.of(definition));
        } catch (AssetGraphException e) {
            Map<String, String> paths = new HashMap<>();
            parsed.steps.forEach(s -> s.produces().forEach(a -> paths.putIfAbsent(a.key(), a.path())));
            for (List<String> cycle : e.cycles()) {
                if (cycle.size() <= 2) {
                    continue; // an asset listing itself in deps, reported where it stands
                }
                String message = e.getMessage().lines()
                        .filter(l -> l.startsWith("asset dependency cycle: " + String.join(" -> ", cycle) + " "))
                        .findFirst().orElse("asset dependency cycle: " + String.join(" -> ", cycle));
                problems.add(paths.getOrDefault(cycle.get(0), "steps"), message);
            }
        }
    }
}
