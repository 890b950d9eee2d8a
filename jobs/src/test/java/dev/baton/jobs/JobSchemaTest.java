package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.baton.jobs.internal.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** docs/job.schema.json describes the same format the parser reads. */
class JobSchemaTest {
    private static final Path SCHEMA = Path.of("..", "docs", "job.schema.json");
    private static JsonNode schema;
    private static MiniJsonSchema validator;

    @BeforeAll
    static void load() throws IOException {
        schema = new ObjectMapper().readTree(Files.readString(SCHEMA));
        validator = new MiniJsonSchema(schema);
    }

    static List<String> validate(String yaml) throws IOException {
        return validator.validate(new YAMLMapper().readTree(yaml));
    }

    @Test
    void declaresDraft2020_12() {
        assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @ParameterizedTest
    @MethodSource("dev.baton.jobs.ExamplesTest#exampleFiles")
    void exampleFilesConform(Path file) throws IOException {
        assertThat(validate(Files.readString(file))).isEmpty();
    }

    @Test
    void theDesignExampleConforms() throws IOException {
        assertThat(validate(JobParserExampleTest.ORDERS_DAILY)).isEmpty();
    }

    @Test
    void aJobUsingEveryOptionConforms() throws IOException {
        assertThat(validate(RoundTripTest.EVERYTHING)).isEmpty();
    }

    @Test
    void writerOutputConforms() throws IOException {
        assertThat(validate(JobWriter.toYaml(TestJobs.parse(RoundTripTest.EVERYTHING)))).isEmpty();
        assertThat(validator.validate(new ObjectMapper().readTree(JobWriter.toJson(TestJobs.parse(RoundTripTest.EVERYTHING)))))
                .isEmpty();
    }

    @Test
    void undeclaredKeysAreCaught() throws IOException {
        assertThat(validate("name: x\nsteps: [{key: a, noop: {}, nedds: [b]}]\n"))
                .containsExactly("$.steps[0].nedds: key not declared in the schema");
        assertThat(validate("name: x\nsteps: [{key: a, run: {script: echo, cwd: /tmp}}]\n"))
                .singleElement().asString().contains("$.steps[0].run.cwd: key not declared in the schema");
    }

    @Test
    void structuralMistakesAreCaught() throws IOException {
        assertThat(validate("name: x\nsteps: [{key: a}]\n")).singleElement().asString()
                .startsWith("$.steps[0]: matches no alternative of oneOf");
        assertThat(validate("name: x\nsteps: [{key: a, noop: {}}]\nschedule: {cron: '* * * * *', overlap: SOMETIMES}\n"))
                .singleElement().asString().contains("\"SOMETIMES\" is not one of");
        assertThat(validate("steps: [{key: a, noop: {}}]\n")).containsExactly("$: missing required 'name'");
    }

    /** The parser's key lists ({@link Keys}) and the schema's properties are the same, object by object. */
    @Test
    void declaresExactlyTheKeysTheParserAccepts() {
        List<String> mismatches = new ArrayList<>();
        Keys.all().forEach((name, keys) -> {
            JsonNode properties = schema.path("$defs").path(name).path("properties");
            List<String> declared = new ArrayList<>();
            properties.fieldNames().forEachRemaining(declared::add);
            if (!new java.util.HashSet<>(declared).equals(new java.util.HashSet<>(keys))) {
                mismatches.add(name + ": schema " + declared + " vs parser " + keys);
            }
            if (!schema.path("$defs").path(name).path("additionalProperties").isBoolean()) {
                mismatches.add(name + ": schema must set additionalProperties: false");
            }
        });
        assertThat(mismatches).isEmpty();
    }
}
