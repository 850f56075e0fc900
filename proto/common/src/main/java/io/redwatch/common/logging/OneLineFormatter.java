package io.redwatch.common.logging;

import io.redwatch.common.text.ControlCharacters;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * {@link SimpleFormatter} whose message text keeps to one line: control characters in it are
 * escaped. Messages quote agent ids, instance and host names and log lines, i.e. network or file
 * input; a newline in one would otherwise let its author write whole lines of their choosing into
 * our log ("... SEVERE ... database lost"). A stack trace keeps its own lines.
 */
public final class OneLineFormatter extends SimpleFormatter {
    @Override
    public String formatMessage(LogRecord record) {
        return ControlCharacters.escape(super.formatMessage(record));
    }
}
