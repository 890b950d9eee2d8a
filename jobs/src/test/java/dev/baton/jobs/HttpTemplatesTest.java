package dev.baton.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.events.HttpAction;
import dev.baton.events.JavaAction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Template values in http steps are data: encoded in urls and JSON bodies, one line in headers. */
class HttpTemplatesTest {
    private static final String EVIL = "x\"; touch /tmp/pwned; echo \"";

    private static TemplateContext ctx(String value) {
        return TemplateContext.builder().param("x", value).param("n", "7").param("host", "api.example.com")
                .param("base", "https://api.example.com/v1").build();
    }

    private static HttpAction http(String url, Map<String, String> headers, String body) {
        return new HttpAction("POST", url, headers, body, List.of(), Map.of());
    }

    private static HttpAction resolve(HttpAction action, String value) {
        return Templates.resolveHttp(action, ctx(value));
    }

    @Test
    void urlValuesArePercentEncodedAfterTheHost() {
        HttpAction r = resolve(http("https://${{ params.host }}/orders/${{ params.x }}?q=${{ params.x }}#${{ params.x }}",
                Map.of(), null), "a/b?c=d&e f#");
        assertThat(r.getUrl()).isEqualTo("https://api.example.com/orders/a%2Fb%3Fc%3Dd%26e%20f%23?q=a%2Fb%3Fc%3Dd%26e%20f%23"
                + "#a%2Fb%3Fc%3Dd%26e%20f%23");
        assertThat(resolve(http("${{ params.base }}/orders/${{ params.x }}", Map.of(), null), "é 1").getUrl())
                .isEqualTo("https://api.example.com/v1/orders/%C3%A9%201");
    }

    @Test
    void urlValuesCannotChangeTheHostOrScheme() {
        assertThat(catchThrowableOfType(TemplateException.class,
                () -> resolve(http("https://${{ params.x }}/a", Map.of(), null), "evil.example@good")).getMessage())
                .contains("params.x").contains("host");
        assertThat(catchThrowableOfType(TemplateException.class,
                () -> resolve(http("${{ params.x }}/a", Map.of(), null), "file:///etc/passwd")).getMessage())
                .contains("http(s) URL");
    }

    @Test
    void jsonBodyValuesCannotChangeTheStructure() throws Exception {
        HttpAction r = resolve(http("https://x.example/", Map.of(),
                "{\"name\": \"${{ params.x }}\", \"bare\": ${{ params.x }}, \"n\": ${{ params.n }}, \"s\": \"a\\\"${{ params.n }}\"}"),
                EVIL + "\\ \n \"}, \"admin\": true, \"x\": {\"");
        JsonNode body = new ObjectMapper().readTree(r.getBody());
        String expected = EVIL + "\\ \n \"}, \"admin\": true, \"x\": {\"";
        assertThat(body.get("name").asText()).isEqualTo(expected);
        assertThat(body.get("bare").asText()).isEqualTo(expected);
        assertThat(body.get("n").asInt()).isEqualTo(7);
        assertThat(body.get("s").asText()).isEqualTo("a\"7");
        assertThat(body.has("admin")).isFalse();
    }

    @Test
    void formAndTextBodies() {
        assertThat(resolve(http("https://x.example/", Map.of("content-type", "application/x-www-form-urlencoded"),
                "a=${{ params.x }}&b=1"), "1&admin=true").getBody()).isEqualTo("a=1%26admin%3Dtrue&b=1");
        assertThat(resolve(http("https://x.example/", Map.of("Content-Type", "text/plain"), "say ${{ params.x }}"), EVIL)
                .getBody()).isEqualTo("say " + EVIL);
    }

    @Test
    void headerValuesStayOneLine() {
        assertThat(resolve(http("https://x.example/", Map.of("X-Name", "n ${{ params.x }}"), null), EVIL).getHeaders())
                .containsEntry("X-Name", "n " + EVIL);
        assertThat(catchThrowableOfType(TemplateException.class,
                () -> resolve(http("https://x.example/", Map.of("X-Name", "${{ params.x }}"), null), "a\r\nX-Admin: 1")))
                .hasMessageContaining("X-Name").hasMessageContaining("line break");
    }

    @Test
    void secretsPassThroughUnresolvedEverywhere() {
        HttpAction r = resolve(http("https://x.example/${{ secrets.PATH_TOKEN }}", Map.of("Authorization", "Bearer ${{ secrets.T }}"),
                "{\"k\": \"${{ secrets.K }}\"}"), "");
        assertThat(r.getUrl()).isEqualTo("https://x.example/${{ secrets.PATH_TOKEN }}");
        assertThat(r.getHeaders()).containsEntry("Authorization", "Bearer ${{ secrets.T }}");
        assertThat(r.getBody()).isEqualTo("{\"k\": \"${{ secrets.K }}\"}");
        JavaAction java = (JavaAction) Templates.resolveAction(new JavaAction("h", Map.of("k", "${{ secrets.K }}")), ctx(""));
        assertThat(java.getConfig()).containsEntry("k", "${{ secrets.K }}");
    }

    @Test
    void theUnsafeOptInInsertsVerbatim() {
        HttpAction r = Templates.resolveHttp(http("https://x.example/${{ params.x }}", Map.of(), "{\"a\": \"${{ params.x }}\"}"),
                ctx("b/c\""), true);
        assertThat(r.getUrl()).isEqualTo("https://x.example/b/c\"");
        assertThat(r.getBody()).isEqualTo("{\"a\": \"b/c\"\"}");
    }
}
