package dev.baton.jobs.internal;

import dev.baton.jobs.Problem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects problems in the order found, dropping exact duplicates. */
public final class Problems {
    private final Set<Problem> problems = new LinkedHashSet<>();

    public void add(String path, String message) {
        problems.add(new Problem(path, message));
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public int size() {
        return problems.size();
    }

    public List<Problem> list() {
        return new ArrayList<>(problems);
    }
}
