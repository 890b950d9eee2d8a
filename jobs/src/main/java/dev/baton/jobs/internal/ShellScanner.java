package dev.baton.jobs.internal;

import dev.baton.jobs.TemplateReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A small bash quote-state scanner: for each {@code ${{ ... }}} reference in a POSIX shell script, the quoting
 * context the shell is in at that point, so a value can be handed over as literal text there (see
 * {@code Templates}). It follows single and double quotes, {@code $'...'}, backslash escapes, {@code $(...)},
 * backticks, {@code ${...}}, arithmetic {@code $((...))} and {@code ((...))}, comments, and here-documents
 * ({@code <<EOF}, {@code <<-EOF}, quoted delimiters). It is not a full parser: constructs it does not follow
 * ({@code case} patterns inside {@code $(...)}, for example) can end a command substitution early, which can only
 * make a reference look less quoted than it is, and the quoting chosen for a less quoted context is still literal.
 */
public final class ShellScanner {

    /** Where a reference stands. */
    public enum Context {
        /** Unquoted shell words (top level, inside {@code $(...)} or backticks). */
        BARE,
        /** Inside {@code "..."} (or an expansion {@code ${...}} inside double quotes). */
        DOUBLE_QUOTED,
        /** Inside {@code '...'}: nothing is special but the closing quote. */
        SINGLE_QUOTED,
        /** Inside {@code $'...'}: backslash escapes, closed by a quote. */
        ANSI_C,
        /** In a comment: nothing runs, but a line break would end the comment. */
        COMMENT,
        /** The body of a here-document with an unquoted delimiter: expansions happen, quotes are literal. */
        HEREDOC,
        /** The body of a here-document with a quoted delimiter: everything is literal up to the delimiter line. */
        QUOTED_HEREDOC,
        /** Inside {@code $((...))} or {@code ((...))}: the text is evaluated as an arithmetic expression. */
        ARITHMETIC
    }

    /** The context of one reference; {@code delimiter} is set for here-document bodies. */
    public record Site(TemplateReference reference, Context context, String delimiter) {}

    private enum Frame { TOP, SUBST, BACKTICK, DQ, SQ, ANSI, PARAM, PARAM_IN_DQ, ARITH }

    private record Heredoc(String delimiter, boolean quoted, boolean stripTabs) {}

    private final String s;
    private final List<TemplateReference> refs;
    private final List<Site> sites = new ArrayList<>();
    private final Deque<Frame> stack = new ArrayDeque<>();
    /** Open parentheses per frame, innermost last, for $( ... ) and arithmetic. */
    private final Deque<int[]> parens = new ArrayDeque<>();
    private final List<Heredoc> pending = new ArrayList<>();
    private int next;

    private ShellScanner(String script, List<TemplateReference> refs) {
        this.s = script;
        this.refs = refs;
    }

    /** The context of every reference, in order. {@code refs} must be the script's references in order. */
    public static List<Site> scan(String script, List<TemplateReference> refs) {
        ShellScanner scanner = new ShellScanner(script, refs);
        scanner.run();
        return scanner.sites;
    }

    private void push(Frame f) {
        stack.push(f);
        parens.push(new int[1]);
    }

    private void pop() {
        if (stack.size() > 1) {
            stack.pop();
            parens.pop();
        }
    }

    /** If a reference starts at {@code i}, records it in {@code context} and returns its end; else -1. */
    private int ref(int i, Context context, String delimiter) {
        if (next < refs.size() && refs.get(next).start() == i) {
            TemplateReference r = refs.get(next++);
            sites.add(new Site(r, context, delimiter));
            return r.end();
        }
        return -1;
    }

    private boolean at(int i, String text) {
        return s.startsWith(text, i);
    }

    private void run() {
        push(Frame.TOP);
        int i = 0;
        int n = s.length();
        while (i < n) {
            Frame f = stack.peek();
            int end = ref(i, contextOf(f), null);
            if (end >= 0) {
                i = end;
                continue;
            }
            char c = s.charAt(i);
            int from = i;
            switch (f) {
                case SQ -> {
                    if (c == '\'') {
                        pop();
                    }
                    i++;
                }
                case ANSI -> {
                    if (c == '\\') {
                        i += 2;
                    } else {
                        if (c == '\'') {
                            pop();
                        }
                        i++;
                    }
                }
                case DQ, PARAM_IN_DQ -> i = inDoubleQuotes(i, c, f);
                case ARITH -> i = inArithmetic(i, c);
                case TOP, SUBST, BACKTICK, PARAM -> i = inCommand(i, c, f);
            }
            // Never step over the start of a reference (an escape right before one, say): look at it next.
            if (next < refs.size() && refs.get(next).start() > from && refs.get(next).start() < i) {
                i = refs.get(next).start();
            }
        }
        // References after an unterminated construct still get the context of where the text ended.
        while (next < refs.size()) {
            sites.add(new Site(refs.get(next++), contextOf(stack.peek()), null));
        }
    }

    private static Context contextOf(Frame f) {
        return switch (f) {
            case TOP, SUBST, BACKTICK, PARAM -> Context.BARE;
            case DQ, PARAM_IN_DQ -> Context.DOUBLE_QUOTED;
            case SQ -> Context.SINGLE_QUOTED;
            case ANSI -> Context.ANSI_C;
            case ARITH -> Context.ARITHMETIC;
        };
    }

    /** Expansions that start with {@code $} or a backtick, in any frame that expands; -1 when none starts at i. */
    private int expansion(int i, boolean inDq) {
        if (at(i, "$((")) {
            push(Frame.ARITH);
            return i + 3;
        }
        if (at(i, "$(")) {
            push(Frame.SUBST);
            return i + 2;
        }
        if (at(i, "${") && !at(i, "${{")) {
            push(inDq ? Frame.PARAM_IN_DQ : Frame.PARAM);
            return i + 2;
        }
        if (s.charAt(i) == '`') {
            if (stack.peek() == Frame.BACKTICK) {
                pop();
            } else {
                push(Frame.BACKTICK);
            }
            return i + 1;
        }
        return -1;
    }

    private int inDoubleQuotes(int i, char c, Frame f) {
        if (c == '\\') {
            return i + 2;
        }
        if (f == Frame.DQ && c == '"') {
            pop();
            return i + 1;
        }
        if (f == Frame.PARAM_IN_DQ && c == '}') {
            pop();
            return i + 1;
        }
        int e = expansion(i, true);
        if (e >= 0) {
            return e;
        }
        if (f == Frame.PARAM_IN_DQ && c == '"') {
            push(Frame.DQ);
        }
        return i + 1;
    }

    private int inArithmetic(int i, char c) {
        int[] depth = parens.peek();
        if (c == '(') {
            depth[0]++;
            return i + 1;
        }
        if (c == ')') {
            if (depth[0] > 0) {
                depth[0]--;
                return i + 1;
            }
            pop();
            return at(i, "))") ? i + 2 : i + 1;
        }
        int e = expansion(i, false);
        return e >= 0 ? e : i + 1;
    }

    private int inCommand(int i, char c, Frame f) {
        switch (c) {
            case '\\' -> {
                return i + 2;
            }
            case '\'' -> {
                push(i > 0 && s.charAt(i - 1) == '$' ? Frame.ANSI : Frame.SQ);
                return i + 1;
            }
            case '"' -> {
                push(Frame.DQ);
                return i + 1;
            }
            case '}' -> {
                if (f == Frame.PARAM) {
                    pop();
                }
                return i + 1;
            }
            case '#' -> {
                if (wordStart(i) && f != Frame.PARAM) {
                    return comment(i);
                }
                return i + 1;
            }
            case '\n' -> {
                return pending.isEmpty() ? i + 1 : heredocBodies(i + 1);
            }
            case '(' -> {
                if (at(i, "((") && f != Frame.PARAM && commandStart(i)) {
                    push(Frame.ARITH);
                    return i + 2;
                }
                parens.peek()[0]++;
                return i + 1;
            }
            case ')' -> {
                int[] depth = parens.peek();
                if (depth[0] > 0) {
                    depth[0]--;
                } else if (f == Frame.SUBST) {
                    pop();
                }
                return i + 1;
            }
            case '<' -> {
                if (at(i, "<<") && !at(i, "<<<") && f != Frame.PARAM) {
                    return heredocStart(i + 2);
                }
                return i + 1;
            }
            default -> {
                if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    push(Frame.ANSI);
                    return i + 2;
                }
                int e = expansion(i, false);
                return e >= 0 ? e : i + 1;
            }
        }
    }

    private boolean wordStart(int i) {
        if (i == 0) {
            return true;
        }
        char p = s.charAt(i - 1);
        return Character.isWhitespace(p) || p == ';' || p == '&' || p == '|' || p == '(' || p == ')';
    }

    private boolean commandStart(int i) {
        int j = i - 1;
        while (j >= 0 && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
            j--;
        }
        return j < 0 || "\n;&|(".indexOf(s.charAt(j)) >= 0;
    }

    private int comment(int i) {
        int eol = s.indexOf('\n', i);
        int end = eol < 0 ? s.length() : eol;
        while (next < refs.size() && refs.get(next).start() < end) {
            TemplateReference r = refs.get(next);
            if (r.start() < i) {
                break;
            }
            ref(r.start(), Context.COMMENT, null);
            // A reference that spans the line end ends the comment where it ends.
            end = Math.max(end, r.end());
        }
        return end;
    }

    /** Reads the delimiter word after {@code <<} or {@code <<-}; the body starts at the next line. */
    private int heredocStart(int i) {
        boolean strip = false;
        if (i < s.length() && s.charAt(i) == '-') {
            strip = true;
            i++;
        }
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                quoted = true;
                int close = s.indexOf(c, i + 1);
                if (close < 0) {
                    close = s.length();
                }
                word.append(s, i + 1, close);
                i = Math.min(close + 1, s.length());
            } else if (c == '\\' && i + 1 < s.length()) {
                quoted = true;
                word.append(s.charAt(i + 1));
                i += 2;
            } else if (Character.isWhitespace(c) || ";&|<>()".indexOf(c) >= 0) {
                break;
            } else {
                word.append(c);
                i++;
            }
        }
        if (!word.isEmpty()) {
            pending.add(new Heredoc(word.toString(), quoted, strip));
        }
        return i;
    }

    /** Skips the bodies of the pending here-documents, starting at {@code i} (the line after the operator). */
    private int heredocBodies(int i) {
        for (Heredoc h : pending) {
            while (i < s.length()) {
                int eol = s.indexOf('\n', i);
                int end = eol < 0 ? s.length() : eol;
                String line = s.substring(i, end);
                String compared = h.stripTabs() ? line.replaceFirst("^\t+", "") : line;
                boolean hasRef = next < refs.size() && refs.get(next).start() < end;
                if (compared.equals(h.delimiter()) && !hasRef) {
                    i = Math.min(end + 1, s.length());
                    break;
                }
                while (next < refs.size() && refs.get(next).start() < end) {
                    TemplateReference r = refs.get(next);
                    ref(r.start(), h.quoted() ? Context.QUOTED_HEREDOC : Context.HEREDOC, h.delimiter());
                    end = Math.max(end, s.indexOf('\n', r.end()) < 0 ? s.length() : s.indexOf('\n', r.end()));
                }
                i = Math.min(end + 1, s.length());
                if (end >= s.length()) {
                    break;
                }
            }
        }
        pending.clear();
        return i;
    }
}
