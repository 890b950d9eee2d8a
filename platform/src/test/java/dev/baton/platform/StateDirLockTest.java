package dev.baton.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirLockTest {
    @TempDir Path tmp;

    @Test
    void aSecondProcessIsRefusedWithTheDirectoryAndTheHolderNamed() throws Exception {
        Path dir = tmp.resolve("coordinator-state");
        Process holder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), dir.toString()))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked"); // blocks until the other process holds the lock

            assertThatThrownBy(() -> StateDirLock.acquire("coordinator", dir))
                    .isInstanceOf(StateDirLock.StateDirInUseException.class)
                    .hasMessageContaining("coordinator cannot start: another process uses its state directory " + dir.toAbsolutePath())
                    .hasMessageContaining("pid " + holder.pid() + ", holder-test");
        } finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: the OS drops its lock with it
        }
        // The lock file stays behind, but a dead holder's lock does not: a restart after a crash is not blocked.
        assertThat(dir.resolve(StateDirLock.FILE_NAME)).exists();
        try (StateDirLock lock = StateDirLock.acquire("coordinator", dir)) {
            assertThat(lock.dir()).isEqualTo(dir.toAbsolutePath());
            assertThat(Files.readString(dir.resolve(StateDirLock.FILE_NAME)))
                    .isEqualTo("pid " + ProcessHandle.current().pid() + ", coordinator");
        }
    }

    @Test
    void heldInThisJvmItIsRefusedUntilClosed() {
        Path dir = tmp.resolve("a/b"); // created when missing
        StateDirLock first = StateDirLock.acquire("scheduler", dir);
        assertThatThrownBy(() -> StateDirLock.acquire("scheduler", dir))
                .isInstanceOf(StateDirLock.StateDirInUseException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString());
        first.close();
        StateDirLock.acquire("scheduler", dir).close();
    }

    /** Holds the lock of args[0] until killed; prints "locked" once it does. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            StateDirLock.acquire("holder-test", Path.of(args[0]));
            System.out.println("locked");
            System.out.flush();
            Thread.currentThread().join(); // blocks until the process is killed
        }
    }
}
