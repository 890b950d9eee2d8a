package dev.baton.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which jobs a token may see and act on: a list of globs over job names ({@code orders_*}, {@code nightly_?}),
 * or {@link #ALL}. {@code *} matches any run of characters, {@code ?} one character; nothing else is special.
 */
public record JobScope(List<String> globs) {
    /** No restriction: every job. */
    public static final JobScope ALL = new JobScope(List.of());
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*?-]{1,200}");

    public JobScope {
        globs = List.copyOf(globs);
        for (String g : globs) {
            if (!GLOB.matcher(g).matches()) {
                throw new IllegalArgumentException("invalid job glob '" + g + "': use job-name characters [A-Za-z0-9_.-] and * or ?");
            }
        }
    }

    /** Parses a comma-separated list ({@code orders_*,nightly_*}); blank means {@link #ALL}. */
    public static JobScope parse(String csv) {
        if (csv == null || csv.isBlank()) {
            return ALL;
        }
        List<String> out = new ArrayList<>();
        for (String p : csv.split(",")) {
            if (!p.isBlank()) {
                out.add(p.strip());
            }
        }
        return new JobScope(out);
    }

    public boolean unrestricted() {
        return globs.isEmpty();
    }

    /** True when {@code job} matches one of the globs (always true for {@link #ALL}). */
    public boolean allows(String job) {
        if (unrestricted()) {
            return true;
        }
        if (job == null) {
            return false;
        }
        for (String g : globs) {
            if (matches(g, 0, job, 0)) {
                return true;
            }
        }
        return false;
    }

    /** The comma-separated form used in token files; empty for {@link #ALL}. */
    public String csv() {
        return String.join(",", globs);
    }

    private static boolean matches(String g, int gi, String s, int si) {
        // Iterative glob match with backtracking on the last '*': linear for the short globs used here.
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (gi < g.length() && (g.charAt(gi) == '?' || g.charAt(gi) == s.charAt(si))) {
                gi++;
                si++;
            } else if (gi < g.length() && g.charAt(gi) == '*') {
                star = gi++;
                mark = si;
            } else if (star >= 0) {
                gi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (gi < g.length() && g.charAt(gi) == '*') {
            gi++;
        }
        return gi == g.length();
    }
}
