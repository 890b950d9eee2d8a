package dev.baton.schemas.serde.internal;

import java.io.OutputStream;
import java.util.Arrays;

/** An unsynchronized growable byte buffer, reused per thread by the serializer. */
public final class Buffer extends OutputStream {
    private byte[] bytes;
    private int count;

    public Buffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, count, len);
        count += len;
    }

    private void ensure(int more) {
        if (count + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + more));
        }
    }

    public void reset() {
        count = 0;
    }

    public int capacity() {
        return bytes.length;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, count);
    }
}
