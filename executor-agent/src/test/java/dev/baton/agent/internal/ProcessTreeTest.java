package dev.baton.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTreeTest {

    @Test
    void killsChildrenAndOrphanedGrandchildrenOfASession(@TempDir Path dir) throws Exception {
        assertThat(ProcessTree.setsid())
                .as("the agent needs setsid and /proc (Linux); install util-linux")
                .isPresent();
        Path pids = dir.resolve("pids");
        // The middle shell exits at once, so its sleeps are orphans: only the session/group still knows them.
        String script = "bash -c 'sleep 300 & echo $! >> " + pids + "; sleep 300 & echo $! >> " + pids + "' ; "
                + "sleep 300 & echo $! >> " + pids + "; wait";
        List<String> cmd = new ArrayList<>(List.of(ProcessTree.setsid().get().toString(), "bash", "-c", script));
        Process p = new ProcessBuilder(cmd).start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 3);
        List<ProcessHandle> sleeps = Files.readAllLines(pids).stream()
                .map(s -> ProcessHandle.of(Long.parseLong(s.strip())).orElseThrow()).toList();
        assertThat(ProcessTree.groupMembers(p.pid())).containsAll(sleeps);

        assertThat(ProcessTree.kill(p.toHandle(), true, Duration.ofSeconds(2))).isTrue();

        assertThat(sleeps).noneMatch(ProcessHandle::isAlive);
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    void escalatesToSigkillAfterTheGrace(@TempDir Path dir) throws Exception {
        Path ready = dir.resolve("ready");
        Process p = new ProcessBuilder("bash", "-c", "trap '' TERM; touch " + ready + "; while true; do sleep 0.1; done").start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(ready));
        long t0 = System.nanoTime();
        assertThat(ProcessTree.kill(p.toHandle(), false, Duration.ofMillis(300))).isTrue();
        assertThat(p.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
}
