package dev.baton.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document and the router describe the same routes. */
class OpenApiDocumentTest {
    static JsonNode document() throws Exception {
        return new YAMLMapper().readTree(GatewayVerticle.openApi().getBytes());
    }

    static Set<String> documented(JsonNode doc) {
        Set<String> out = new TreeSet<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (List.of("get", "post", "put", "delete", "patch").contains(m)) {
                out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        return out;
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
        Set<String> routes = new TreeSet<>();
        for (Api a : Api.values()) {
            routes.add(a.method().name() + " " + a.path());
        }
        assertThat(documented(document())).containsExactlyElementsOf(routes);
    }

    @Test
    void theRouterIsBuiltFromTheRouteTableOnly() {
        Vertx vertx = Vertx.vertx();
        try {
            GatewayVerticle v = new GatewayVerticle(TestServices.minimal());
            v.init(vertx, vertx.getOrCreateContext());
            Router router = v.router();
            List<String> registered = new ArrayList<>();
            for (Route r : router.getRoutes()) {
                if (r.methods() == null || r.methods().isEmpty()) {
                    continue; // the /api/* fallback
                }
                String path = r.getPath() != null ? r.getPath().replaceAll(":([a-zA-Z]+)", "{$1}") : r.getName();
                r.methods().forEach(m -> registered.add(m.name() + " " + path));
            }
            Set<String> expected = new TreeSet<>();
            for (Api a : Api.values()) {
                expected.add(a.method().name() + " " + a.path());
            }
            assertThat(new TreeSet<>(registered)).containsExactlyElementsOf(expected);
        } finally {
            vertx.close();
        }
    }

    @Test
    void mutatingRoutesNeedARoleAndAreAudited() {
        for (Api a : Api.values()) {
            if (a.method().name().equals("POST")) {
                assertThat(a.role()).as(a.name()).isNotNull();
                assertThat(a.action()).as(a.name()).isNotBlank();
            } else {
                assertThat(a.action()).as(a.name()).isNull();
            }
            if (a.path().startsWith("/api/")) {
                assertThat(a.role()).as(a.name() + " is under /api").isNotNull();
            }
        }
    }

    @Test
    void errorCodesInTheDocumentAreTheOnesTheGatewayUses() throws Exception {
        List<String> codes = new ArrayList<>();
        document().at("/components/schemas/Error/properties/code/enum").forEach(n -> codes.add(n.asText()));
        List<String> constants = new ArrayList<>();
        for (var f : ApiError.class.getFields()) {
            if (f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(codes).containsExactlyInAnyOrderElementsOf(constants);
    }
}
