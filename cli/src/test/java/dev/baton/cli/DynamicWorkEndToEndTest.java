package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 (forEach, when / runIf) through the single-machine stack: real broker, registry, coordinator, agents
 * running bash, and the gateway's run JSON. The {@code fan} job is the issue's, as written.
 */
class DynamicWorkEndToEndTest extends StackTestSupport {
    static final String FAN = """
            name: fan
            steps:
              - key: list
                run: echo 'items=["a","b","c"]' >> "$BATON_OUTPUT"
              - key: each
                needs: [list]
                forEach: "${{ steps.list.outputs.items }}"
                maxParallel: 8
                run: echo "got=${{ item }}" >> "$BATON_OUTPUT"
              - key: join
                needs: [each]
                run: echo "all=${{ steps.each.outputs.got }}" >> "$BATON_OUTPUT"
            """;

    static final String MAPPED = """
            name: mapped
            params:
              list: { default: "[]" }
            steps:
              - key: each
                forEach: "${{ params.list }}"
                maxParallel: 2
                run: echo "n=${{ item.name }}-${{ item_index }}" >> "$BATON_OUTPUT"
              - key: join
                needs: [each]
                run: echo "all=${{ steps.each.outputs.n }}" >> "$BATON_OUTPUT"
            """;

    static final String CONDITIONS = """
            name: conditions
            params:
              mode: { default: full }
            steps:
              - key: check
                run: echo "count=0" >> "$BATON_OUTPUT"
              - key: load
                needs: [check]
                when: "steps.check.outputs.count > 0"
                run: echo load
              - key: fail
                run: exit 3
              - key: cleanup
                needs: [load, fail]
                runIf: always
                run: echo "cleaned=yes" >> "$BATON_OUTPUT"
              - key: notify
                needs: [fail]
                runIf: anyFailed
                run: echo "notified=yes" >> "$BATON_OUTPUT"
            """;

    @Test
    void forEachAndConditionsRunThroughTheWholeStack() throws Exception {
        try (DevStack s = start()) {
            String admin = s.adminToken();
            for (String job : new String[] {FAN, MAPPED, CONDITIONS}) {
                HttpResponse<String> r = call(s, "POST", "/api/v1/jobs", admin, "application/yaml", job);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }

            // the example, as written: join's output all is ["a","b","c"]
            String fan = trigger(s, admin, "fan", Map.of());
            assertThat(awaitFinished(s, fan, admin)).isEqualTo("SUCCEEDED");
            Map<String, JsonNode> steps = steps(s, fan, admin);
            assertThat(steps.get("join").path("outputs").path("all").asText()).isEqualTo("[\"a\",\"b\",\"c\"]");
            assertThat(steps.get("each").path("outputs").path("got").asText()).isEqualTo("[\"a\",\"b\",\"c\"]");
            JsonNode forEach = steps.get("each").path("forEach");
            assertThat(forEach.path("count").asInt()).isEqualTo(3);
            assertThat(forEach.path("succeeded").asInt()).isEqualTo(3);
            assertThat(forEach.path("running").size()).as("no instance left in flight").isZero();

            // objects, fields and positions; collection in element order
            String objects = trigger(s, admin, "mapped", Map.of("list", "[{\"name\":\"x\"},{\"name\":\"y\"},{\"name\":\"z\"}]"));
            assertThat(awaitFinished(s, objects, admin)).isEqualTo("SUCCEEDED");
            assertThat(steps(s, objects, admin).get("join").path("outputs").path("all").asText())
                    .isEqualTo("[\"x-0\",\"y-1\",\"z-2\"]");

            // an empty list: zero instances, downstream gets []
            String empty = trigger(s, admin, "mapped", Map.of("list", "[]"));
            assertThat(awaitFinished(s, empty, admin)).isEqualTo("SUCCEEDED");
            assertThat(steps(s, empty, admin).get("join").path("outputs").path("all").asText()).isEqualTo("[]");

            // not an array: the mapped step fails with a clear error
            String bad = trigger(s, admin, "mapped", Map.of("list", "{\"name\":\"x\"}"));
            assertThat(awaitFinished(s, bad, admin)).isEqualTo("FAILED");
            Map<String, JsonNode> badSteps = steps(s, bad, admin);
            assertThat(badSteps.get("each").path("error").path("message").asText())
                    .isEqualTo("forEach: expected a JSON array, got a JSON object: {\"name\":\"x\"}");
            assertThat(badSteps.get("join").path("status").asText()).isEqualTo("SKIPPED");

            // a false condition skips with its reason; runIf steps run after a failure
            String cond = trigger(s, admin, "conditions", Map.of());
            assertThat(awaitFinished(s, cond, admin)).isEqualTo("FAILED");
            Map<String, JsonNode> c = steps(s, cond, admin);
            assertThat(c.get("load").path("status").asText()).isEqualTo("SKIPPED");
            assertThat(c.get("load").path("skipReason").asText()).isEqualTo("condition is false: when: steps.check.outputs.count > 0");
            assertThat(c.get("cleanup").path("outputs").path("cleaned").asText()).isEqualTo("yes");
            assertThat(c.get("notify").path("outputs").path("notified").asText()).isEqualTo("yes");
        }
    }

    private String trigger(DevStack s, String token, String job, Map<String, String> params) throws Exception {
        HttpResponse<String> r = call(s, "POST", "/api/v1/jobs/" + job + "/runs", token, "application/json",
                JSON.writeValueAsString(Map.of("params", params)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).path("runId").asText();
    }

    private Map<String, JsonNode> steps(DevStack s, String runId, String token) throws Exception {
        JsonNode run = json(call(s, "GET", "/api/v1/runs/" + runId, token, null, null));
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode st : run.path("steps")) {
            out.put(st.path("key").asText(), st);
        }
        return out;
    }
}
