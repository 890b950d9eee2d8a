package dev.baton.agent.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Kills a step's whole process tree. Run steps start in their own session ({@code setsid}), so
 * their process group holds every process they spawned, including grandchildren whose parent has
 * already exited (those are no longer descendants of anything the agent knows). Killing takes the
 * union of the group's members (read from {@code /proc}) and the root's descendants, sends SIGTERM,
 * waits up to the grace period, then SIGKILLs whatever is left.
 */
public final class ProcessTree {
    private static final Path PROC = Path.of("/proc");
    private static final List<Path> SETSID = List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid"));

    private ProcessTree() {}

    /** The setsid binary when this system has one (Linux util-linux). */
    public static java.util.Optional<Path> setsid() {
        if (!Files.isDirectory(PROC)) {
            return java.util.Optional.empty();
        }
        return SETSID.stream().filter(Files::isExecutable).findFirst();
    }

    /** Live processes of the process group {@code pgid} (empty where /proc is not available). */
    public static Set<ProcessHandle> groupMembers(long pgid) {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        if (!Files.isDirectory(PROC)) {
            return members;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC, p -> isNumeric(p.getFileName().toString()))) {
            for (Path p : dir) {
                long pg = processGroup(p);
                if (pg == pgid) {
                    ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(members::add);
                }
            }
        } catch (IOException e) {
            // /proc vanished or unreadable: fall back to descendants only
        }
        return members;
    }

    private static long processGroup(Path procDir) {
        try {
            String stat = Files.readString(procDir.resolve("stat"));
            // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so parse after the last ')'
            int end = stat.lastIndexOf(')');
            String[] f = stat.substring(end + 2).split(" ", 4);
            return Long.parseLong(f[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean isNumeric(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The root, its descendants and (when {@code group}) its process group's members, if alive. */
    public static Set<ProcessHandle> tree(ProcessHandle root, boolean group) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        if (root.isAlive()) {
            all.add(root);
        }
        root.descendants().forEach(all::add);
        if (group) {
            all.addAll(groupMembers(root.pid()));
        }
        all.removeIf(p -> !p.isAlive() || p.pid() == ProcessHandle.current().pid());
        return all;
    }

    /**
     * SIGTERM to the tree, then SIGKILL to what is still alive after {@code grace}. Waits at most
     * {@code grace} plus a few seconds. Returns true when nothing of the tree is left.
     */
    public static boolean kill(ProcessHandle root, boolean group, Duration grace) {
        Set<ProcessHandle> tree = tree(root, group);
        if (tree.isEmpty()) {
            return true;
        }
        tree.forEach(ProcessHandle::destroy);
        if (!awaitExit(tree, grace)) {
            // Children spawned while we waited (a trap handler, a retry loop) are included here.
            tree.addAll(tree(root, group));
            tree.removeIf(p -> !p.isAlive());
            tree.forEach(ProcessHandle::destroyForcibly);
            return awaitExit(tree, Duration.ofSeconds(5));
        }
        return true;
    }

    private static boolean awaitExit(Set<ProcessHandle> procs, Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return procs.stream().noneMatch(ProcessHandle::isAlive);
        }
        try {
            CompletableFuture.allOf(procs.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return procs.stream().noneMatch(ProcessHandle::isAlive);
        }
    }
}
