package dev.baton.sdk;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Objects;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J {@link org.slf4j.Logger} that formats each call into text and hands it to a {@link Sink}:
 * the agent's sink writes it to the attempt's log stream; tests can collect it. A throwable's stack
 * trace follows the message on the next lines. Levels below {@code minLevel} are ignored.
 */
public final class LineLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    /** Receives one formatted log call (possibly several lines). */
    @FunctionalInterface
    public interface Sink {
        void accept(Level level, String text);
    }

    private final transient Sink sink;
    private final Level minLevel;

    public LineLogger(String name, Level minLevel, Sink sink) {
        this.name = Objects.requireNonNull(name, "name");
        this.minLevel = Objects.requireNonNull(minLevel, "minLevel");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    public LineLogger(String name, Sink sink) {
        this(name, Level.INFO, sink);
    }

    private boolean enabled(Level level) {
        // slf4j orders levels by int: ERROR=40 … TRACE=0
        return level.toInt() >= minLevel.toInt();
    }

    @Override public boolean isTraceEnabled() { return enabled(Level.TRACE); }
    @Override public boolean isDebugEnabled() { return enabled(Level.DEBUG); }
    @Override public boolean isInfoEnabled() { return enabled(Level.INFO); }
    @Override public boolean isWarnEnabled() { return enabled(Level.WARN); }
    @Override public boolean isErrorEnabled() { return enabled(Level.ERROR); }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern,
                                               Object[] arguments, Throwable throwable) {
        String text = MessageFormatter.basicArrayFormat(messagePattern, arguments);
        if (throwable != null) {
            StringWriter w = new StringWriter();
            throwable.printStackTrace(new PrintWriter(w));
            text = (text == null ? "" : text + System.lineSeparator()) + w.toString().stripTrailing();
        }
        sink.accept(level, text == null ? "null" : text);
    }
}
