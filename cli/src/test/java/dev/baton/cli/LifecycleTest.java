package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a stop closes the services: reverse start order, independent components at the same time. */
class LifecycleTest {
    @Test
    void servicesAddedTogetherCloseAtTheSameTimeBetweenTheOnesAddedBeforeAndAfter() {
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch bothClosing = new CountDownLatch(2);
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.add(() -> events.add("broker closed"));
        for (String name : List.of("coordinator", "agent")) {
            lifecycle.addTogether(() -> {
                bothClosing.countDown();
                // Closed one after the other, the first would wait here for the second's start in vain.
                events.add(name + (bothClosing.await(30, TimeUnit.SECONDS) ? " closed alongside" : " closed alone"));
            });
        }
        lifecycle.add(() -> events.add("lock released"));

        lifecycle.close();

        assertThat(events).hasSize(4).startsWith("lock released").endsWith("broker closed");
        assertThat(events.subList(1, 3)).containsExactlyInAnyOrder("coordinator closed alongside", "agent closed alongside");
    }

    @Test
    void aFailingCloseInTheGroupStillClosesTheOthersAndWhatCameBefore() {
        List<String> events = new CopyOnWriteArrayList<>();
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.add(() -> events.add("broker closed"));
        lifecycle.addTogether(() -> {
            throw new IllegalStateException("boom");
        });
        lifecycle.addTogether(() -> events.add("agent closed"));

        lifecycle.close();

        assertThat(events).containsExactly("agent closed", "broker closed");
    }
}
