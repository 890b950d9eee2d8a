package dev.baton.cli;

import java.lang.management.ManagementFactory;

/** The main class of the small jar {@link LauncherArchiveTest} puts where the {@code ./baton} launcher runs its jar. */
public final class LauncherFixtureMain {
    private LauncherFixtureMain() {}

    /** Prints the JVM options it was started with, one per line after "ARGS", and exits. */
    public static void main(String[] args) {
        System.out.println("ARGS");
        ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(System.out::println);
    }
}
