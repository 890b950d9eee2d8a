package dev.baton.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Just enough of JSON Schema 2020-12 to hold job files to docs/job.schema.json (no schema library is available):
 * local $ref, type, enum, const, pattern, numeric and size bounds, properties, additionalProperties,
 * propertyNames, required, items, anyOf, oneOf, allOf. An unsupported keyword fails loudly, so the schema cannot
 * quietly outgrow the check.
 */
final class MiniJsonSchema {
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$defs", "title", "description");
    private static final Set<String> SUPPORTED = Set.of("$ref", "type", "enum", "const", "pattern", "minimum", "maximum",
            "minItems", "maxLength", "maxProperties", "properties", "additionalProperties", "propertyNames", "required",
            "items", "anyOf", "oneOf", "allOf");

    private final JsonNode root;

    MiniJsonSchema(JsonNode root) {
        this.root = root;
    }

    /** Every violation, as "path: what". */
    List<String> validate(JsonNode instance) {
        List<String> errors = new ArrayList<>();
        check(root, instance, "$", errors);
        return errors;
    }

    private void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (!SUPPORTED.contains(keyword) && !ANNOTATIONS.contains(keyword)) {
                throw new IllegalStateException("schema keyword not supported by the test validator: " + keyword);
            }
        }
        if (schema.has("$ref")) {
            check(resolve(schema.get("$ref").asText()), value, path, errors);
        }
        if (schema.has("type") && !typeMatches(schema.get("type"), value)) {
            errors.add(path + ": expected type " + schema.get("type") + ", got " + value.getNodeType());
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode option : schema.get("enum")) {
                found |= option.equals(value);
            }
            if (!found) {
                errors.add(path + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (schema.has("const") && !schema.get("const").equals(value)) {
            errors.add(path + ": expected " + schema.get("const"));
        }
        if (value.isTextual()) {
            if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                errors.add(path + ": '" + value.asText() + "' does not match " + schema.get("pattern").asText());
            }
            if (schema.has("maxLength") && value.asText().length() > schema.get("maxLength").asInt()) {
                errors.add(path + ": longer than " + schema.get("maxLength"));
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                errors.add(path + ": below minimum " + schema.get("minimum"));
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                errors.add(path + ": above maximum " + schema.get("maximum"));
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                errors.add(path + ": fewer than " + schema.get("minItems") + " items");
            }
            if (schema.has("items")) {
                for (int i = 0; i < value.size(); i++) {
                    check(schema.get("items"), value.get(i), path + "[" + i + "]", errors);
                }
            }
        }
        if (value.isObject()) {
            checkObject(schema, value, path, errors);
        }
        combinators(schema, value, path, errors);
    }

    private void checkObject(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
            errors.add(path + ": more than " + schema.get("maxProperties") + " properties");
        }
        if (schema.has("required")) {
            for (JsonNode name : schema.get("required")) {
                if (!value.has(name.asText())) {
                    errors.add(path + ": missing required '" + name.asText() + "'");
                }
            }
        }
        JsonNode properties = schema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String childPath = path + "." + field.getKey();
            if (schema.has("propertyNames")) {
                check(schema.get("propertyNames"), com.fasterxml.jackson.databind.node.TextNode.valueOf(field.getKey()),
                        childPath + " (name)", errors);
            }
            if (properties.has(field.getKey())) {
                check(properties.get(field.getKey()), field.getValue(), childPath, errors);
            } else if (schema.has("additionalProperties")) {
                JsonNode additional = schema.get("additionalProperties");
                if (additional.isBoolean() && !additional.asBoolean()) {
                    errors.add(childPath + ": key not declared in the schema");
                } else if (additional.isObject()) {
                    check(additional, field.getValue(), childPath, errors);
                }
            }
        }
    }

    private void combinators(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (schema.has("allOf")) {
            for (JsonNode branch : schema.get("allOf")) {
                check(branch, value, path, errors);
            }
        }
        for (String keyword : List.of("anyOf", "oneOf")) {
            if (!schema.has(keyword)) {
                continue;
            }
            int matches = 0;
            List<String> closest = null;
            for (JsonNode branch : schema.get(keyword)) {
                List<String> branchErrors = new ArrayList<>();
                check(branch, value, path, branchErrors);
                if (branchErrors.isEmpty()) {
                    matches++;
                } else if (closest == null || score(branchErrors, path) < score(closest, path)) {
                    closest = branchErrors;
                }
            }
            if (matches == 0) {
                errors.add(path + ": matches no alternative of " + keyword + "; closest: " + closest);
            } else if (keyword.equals("oneOf") && matches > 1) {
                errors.add(path + ": matches " + matches + " alternatives of oneOf, expected exactly one");
            }
        }
    }

    /** Fewer errors is closer, but a branch of the wrong type is the furthest away. */
    private static int score(List<String> errors, String path) {
        return errors.get(0).startsWith(path + ": expected type") ? Integer.MAX_VALUE : errors.size();
    }

    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalStateException("only local refs are supported: " + ref);
        }
        JsonNode node = root.at(ref.substring(1));
        if (node.isMissingNode()) {
            throw new IllegalStateException("dangling $ref " + ref);
        }
        return node;
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> throw new IllegalStateException("unknown type " + type);
        };
    }
}
