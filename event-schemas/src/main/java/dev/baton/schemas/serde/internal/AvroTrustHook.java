package dev.baton.schemas.serde.internal;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Registered in {@code META-INF/services/org.apache.avro.LogicalTypes$LogicalTypeFactory} only to
 * run {@link TrustedAvroClasses#install()} when Avro initialises its logical types, which happens
 * while the first schema is parsed (e.g. a generated class's {@code SCHEMA$}). It defines no logical
 * type: its name is never used in a schema.
 */
public final class AvroTrustHook implements LogicalTypes.LogicalTypeFactory {
    public AvroTrustHook() {
        TrustedAvroClasses.install();
    }

    @Override
    public LogicalType fromSchema(Schema schema) {
        return null;
    }

    @Override
    public String getTypeName() {
        return "dev.baton.internal.avro-trust-hook";
    }
}
