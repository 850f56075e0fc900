package io.redwatch.agent.tailing;

import java.io.IOException;

/** A log path the agent will not read (a symlink, not a regular file, or another user's file). */
final class RefusedLogFileException extends IOException {
    RefusedLogFileException(String message) {
        super(message);
    }
}
