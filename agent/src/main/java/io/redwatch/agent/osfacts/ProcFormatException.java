package io.redwatch.agent.osfacts;

/** A /proc or /sys file did not have the shape the kernel documents; the message says what was wrong. */
public final class ProcFormatException extends RuntimeException {
    public ProcFormatException(String message) {
        super(message);
    }
}
