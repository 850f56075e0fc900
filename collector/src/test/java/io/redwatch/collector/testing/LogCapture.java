package io.redwatch.collector.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Every JUL record of one logger tree (e.g. "io.redwatch.agent"), formatted as the log would show it. */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final SimpleFormatter format = new SimpleFormatter();

    public LogCapture(String loggerName) {
        logger = Logger.getLogger(loggerName);
        logger.addHandler(this);
        setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + r.getLoggerName() + ": " + format.format(r));
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String text() {
        return String.join("\n", lines);
    }

    /** A position to read from later with {@link #since(int)}. */
    public int mark() {
        return lines.size();
    }

    public List<String> since(int mark) {
        List<String> all = List.copyOf(lines);
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    public static long count(List<String> lines, String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
