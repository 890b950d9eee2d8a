package dev.baton.jobs.internal;

import dev.baton.jobs.TemplateContext;
import dev.baton.jobs.TemplateException;
import dev.baton.jobs.TemplateReference;
import dev.baton.jobs.Templates;
import dev.baton.jobs.internal.ShellScanner.Site;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Template values in run scripts as data: a value made only of characters no POSIX shell treats specially is
 * inserted as is (its quoted form is itself, as with Python's {@code shlex.quote}); any other value goes into an
 * environment variable {@code BATON_TPL_<n>} and the script references that variable in the form the quoting
 * context needs (see {@link ShellScanner}). The shell expands a variable once and never parses its value as code.
 */
public final class ScriptValues {
    /** Names of variables this adds to a run step's environment: {@code BATON_TPL_1}, {@code BATON_TPL_2}, ... */
    public static final String ENV_PREFIX = "BATON_TPL_";
    /** Characters that are literal in every shell context (no quotes, $, `, \, globs, ~, =, #, spaces, braces). */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.:/@%+,-]*");
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,18}");
    /** Shells whose quoting the scanner knows (the first word of {@code shell}, path stripped). */
    private static final Set<String> POSIX_SHELLS = Set.of("bash", "sh", "dash", "zsh", "ksh", "mksh", "ash", "busybox");

    private ScriptValues() {}

    /** Whether the value is inserted into a script as it is. */
    public static boolean isSafeWord(String value) {
        return SAFE.matcher(value).matches();
    }

    /**
     * The script with every reference replaced; variables for the values are added to {@code env}.
     *
     * @throws TemplateException when a reference cannot be resolved, or its value cannot be placed as data where it
     *                           stands (arithmetic, right after {@code $} or a backslash, a non-POSIX shell, ...)
     */
    public static String resolveScript(String script, String shell, TemplateContext ctx, Map<String, String> env) {
        if (!Templates.containsTemplates(script)) {
            return script;
        }
        List<TemplateReference> refs = Templates.references(script);
        boolean posix = isPosix(shell);
        List<Site> sites = posix ? ShellScanner.scan(script, refs) : null;
        StringBuilder out = new StringBuilder(script.length() + 16 * refs.size());
        int last = 0;
        int counter = 0;
        for (int k = 0; k < refs.size(); k++) {
            TemplateReference ref = refs.get(k);
            String value = Templates.evaluate(ref, ctx);
            out.append(script, last, ref.start());
            last = ref.end();
            char before = ref.start() > 0 ? script.charAt(ref.start() - 1) : '\n';
            ShellScanner.Context context = posix ? sites.get(k).context() : null;
            boolean literalContext = context == ShellScanner.Context.SINGLE_QUOTED
                    || context == ShellScanner.Context.QUOTED_HEREDOC || context == ShellScanner.Context.COMMENT;
            if (before == '$' && !literalContext) {
                throw new TemplateException(ref.expression(), "a template right after '$' would make its value a"
                        + " variable name; put the value in quotes or in braces of its own");
            }
            boolean safe = isSafeWord(value) && !value.contains("\n");
            if (!posix) {
                if (!safe) {
                    throw new TemplateException(ref.expression(), "the value cannot be placed safely in a script for"
                            + " shell '" + shell + "' (only bash/sh-family scripts are quoted); read it from the"
                            + " environment instead (env: { NAME: " + ref.text() + " })");
                }
                out.append(value);
                continue;
            }
            switch (context) {
                case ARITHMETIC -> {
                    if (!INTEGER.matcher(value).matches()) {
                        throw new TemplateException(ref.expression(), "only an integer can stand in an arithmetic"
                                + " expression; declare the param with type: int");
                    }
                    out.append(value);
                }
                case QUOTED_HEREDOC -> {
                    String delimiter = sites.get(k).delimiter();
                    if (value.contains("\n") || !value.isEmpty() && delimiter.contains(value)) {
                        throw new TemplateException(ref.expression(), "the value could end the here-document '"
                                + delimiter + "' early; use an unquoted delimiter or an environment variable");
                    }
                    out.append(value);
                }
                default -> {
                    if (safe) {
                        out.append(value);
                        continue;
                    }
                    if (before == '\\' && context != ShellScanner.Context.SINGLE_QUOTED
                            && context != ShellScanner.Context.COMMENT) {
                        throw new TemplateException(ref.expression(), "a template right after a backslash cannot be"
                                + " quoted; remove the backslash");
                    }
                    String name;
                    do {
                        name = ENV_PREFIX + ++counter;
                    } while (env.containsKey(name));
                    env.put(name, value);
                    out.append(reference(context, name));
                }
            }
        }
        return out.append(script, last, script.length()).toString();
    }

    /** How the script refers to variable {@code name} so that the shell reads its value as one piece of text. */
    static String reference(ShellScanner.Context context, String name) {
        String braced = "${" + name + "}";
        return switch (context) {
            case BARE -> "\"" + braced + "\"";
            case DOUBLE_QUOTED, HEREDOC, COMMENT -> braced;
            case SINGLE_QUOTED -> "'\"" + braced + "\"'";
            case ANSI_C -> "'\"" + braced + "\"$'";
            case QUOTED_HEREDOC, ARITHMETIC -> throw new IllegalStateException("no variable reference in " + context);
        };
    }

    /** A working directory: values are data, but must not climb out of the step's directory. */
    public static String resolvePath(String path, TemplateContext ctx) {
        if (!Templates.containsTemplates(path)) {
            return path;
        }
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (TemplateReference ref : Templates.references(path)) {
            String value = Templates.evaluate(ref, ctx);
            for (String segment : value.split("[/\\\\]", -1)) {
                if (segment.equals("..")) {
                    throw new TemplateException(ref.expression(), "a value in workingDir must not contain '..'");
                }
            }
            if (value.contains("\u0000")) {
                throw new TemplateException(ref.expression(), "a value in workingDir must not contain NUL");
            }
            out.append(path, last, ref.start()).append(value);
            last = ref.end();
        }
        return out.append(path, last, path.length()).toString();
    }

    static boolean isPosix(String shell) {
        String s = shell == null || shell.isBlank() ? "bash" : shell.strip();
        String first = s.split("\\s+")[0];
        String base = first.substring(first.lastIndexOf('/') + 1);
        return POSIX_SHELLS.contains(base);
    }
}
