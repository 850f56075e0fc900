package io.redwatch.collector;

import io.redwatch.collector.alerting.ControlCharacters;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * {@link SimpleFormatter} whose message text keeps to one line: control characters in it are
 * escaped. Messages quote agent ids, instance and host names and log lines, i.e. network input; a
 * newline in one would otherwise let an agent write whole lines of its choosing into the
 * collector's log ("... SEVERE ... database lost"). A stack trace keeps its own lines.
 */
final class OneLineFormatter extends SimpleFormatter {
    @Override
    public String formatMessage(LogRecord record) {
        return ControlCharacters.escape(super.formatMessage(record));
    }
}
