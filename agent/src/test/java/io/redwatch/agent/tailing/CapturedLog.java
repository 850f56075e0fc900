package io.redwatch.agent.tailing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The messages some classes log during a test, for tests that check what the operator is told. */
final class CapturedLog extends Handler {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final List<Class<?>> sources;

    private CapturedLog(List<Class<?>> sources) {
        this.sources = sources;
    }

    /** Starts capturing what the loggers named after these classes log; {@link #close} stops. */
    static CapturedLog of(Class<?>... sources) {
        CapturedLog log = new CapturedLog(List.of(sources));
        for (Class<?> c : sources) {
            Logger.getLogger(c.getName()).addHandler(log);
        }
        return log;
    }

    List<LogRecord> records() {
        return records;
    }

    /** Records at WARNING or above. */
    List<LogRecord> warnings() {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .toList();
    }

    /** How many messages contain {@code fragment}. */
    long count(String fragment) {
        return records.stream().filter(r -> r.getMessage().contains(fragment)).count();
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        for (Class<?> c : sources) {
            Logger.getLogger(c.getName()).removeHandler(this);
        }
    }
}
