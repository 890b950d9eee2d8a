package dev.baton.jobs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.jobs.internal.Node.ListNode;
import dev.baton.jobs.internal.Node.MapNode;
import dev.baton.jobs.internal.Node.ScalarNode;
import java.math.BigDecimal;
import java.math.BigInteger;

/** Objects and lists given where a string is stored (HTTP body, Java config) are kept as compact JSON. */
final class NodeJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeJson() {}

    static String toJson(Node node) {
        try {
            return JSON.writeValueAsString(toJsonNode(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode toJsonNode(Node node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (node) {
            case MapNode m -> {
                ObjectNode o = f.objectNode();
                m.entries().forEach((k, v) -> o.set(k, toJsonNode(v)));
                yield o;
            }
            case ListNode l -> {
                ArrayNode a = f.arrayNode();
                l.items().forEach(i -> a.add(toJsonNode(i)));
                yield a;
            }
            case ScalarNode s -> switch (s.scalarKind()) {
                case STRING -> f.textNode(s.text());
                case INT -> s.number() instanceof BigInteger b ? f.numberNode(b)
                        : s.number() != null ? f.numberNode(s.number().longValue()) : f.textNode(s.text());
                case FLOAT -> s.number() instanceof BigDecimal d ? f.numberNode(d)
                        : s.number() != null ? f.numberNode(s.number().doubleValue()) : f.textNode(s.text());
                case TRUE -> f.booleanNode(true);
                case FALSE -> f.booleanNode(false);
                case NULL -> f.nullNode();
            };
        };
    }
}
