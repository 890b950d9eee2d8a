package dev.baton.schemas.serde.internal;

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro binary body. */
public final class WireFormat {
    public static final byte MAGIC = 0;
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {}

    public static int schemaId(byte[] data) {
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }

    public static void writeHeader(java.io.OutputStream out, int schemaId) throws java.io.IOException {
        out.write(MAGIC);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }
}
