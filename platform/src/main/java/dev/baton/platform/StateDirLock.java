package dev.baton.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive operating-system lock on a component's state directory, held for as long as the component runs: a
 * second process pointed at the same directory (two coordinators started with one {@code coordinator.state.dir}) is
 * refused at start with a message naming the directory, instead of both opening the same RocksDB stores (which fails
 * later, in a stream thread, or corrupts the local cache). The lock is the OS's ({@link FileChannel#tryLock()} on
 * {@value #FILE_NAME} in the directory): it goes away with the process, however that ends (SIGKILL included), so a
 * stale lock file never blocks a restart. The file holds the pid and component of the holder, for the message.
 */
public final class StateDirLock implements AutoCloseable {
    /** The lock file, in the state directory; left in place on close (only the OS lock counts). */
    public static final String FILE_NAME = ".baton.lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Thrown when another live process (or another component of this one) holds the directory. */
    public static final class StateDirInUseException extends IllegalStateException {
        StateDirInUseException(String message) {
            super(message);
        }
    }

    /**
     * Creates {@code dir} when missing and locks it for {@code component}.
     *
     * @throws StateDirInUseException when another process holds it; the message names the directory and the holder
     * @throws UncheckedIOException when the directory or the lock file cannot be created
     */
    public static StateDirLock acquire(String component, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path file = abs.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(abs);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very JVM, through another channel
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new StateDirInUseException(component + " cannot start: another process uses its state directory " + abs
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + "; the OS lock on " + file + " is held. Stop that "
                        + "process, or give this instance a state directory of its own (docs/operations.md, two or more of "
                        + "every component)");
            }
            byte[] me = ("pid " + ProcessHandle.current().pid() + ", " + component).getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me), 0);
            channel.force(false);
            return new StateDirLock(abs, channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException(component + " cannot lock its state directory " + abs + ": " + e.getMessage(), e);
        }
    }

    /** What the holder wrote ("pid 123, coordinator"), or "" when it cannot be read. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(256);
            int n = channel.read(b, 0);
            return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The locked directory (absolute). */
    public Path dir() {
        return dir;
    }

    /** Releases the lock (the file stays). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot release the lock on " + dir, e);
        }
    }
}
