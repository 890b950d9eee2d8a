package dev.baton.schemas.serde;

/**
 * One version of a subject as the registry returns it.
 *
 * @param schemaType {@code AVRO}, {@code JSON} or {@code PROTOBUF} ({@code AVRO} when the registry omitted it)
 * @param schema the schema text as stored by the registry
 */
public record RegisteredSchema(String subject, int id, int version, String schemaType, String schema) {
}
