package dev.baton.schemas.serde.internal;

import com.fasterxml.jackson.databind.JsonNode;

/** One request to a Confluent-compatible registry REST API; errors as {@link dev.baton.schemas.serde.SchemaRegistryException}. */
public interface RegistryTransport extends AutoCloseable {

    /**
     * @param method GET, POST, PUT or DELETE
     * @param pathAndQuery path below the base URL with encoded segments, e.g. {@code /subjects/a-value/versions}
     * @param body the JSON body, or null
     * @return the response JSON (a {@code NullNode} for an empty body)
     */
    JsonNode call(String method, String pathAndQuery, JsonNode body);

    @Override
    void close();
}
