package io.redwatch.collector.storage;

/** Storage failed; the message says where and what to do. */
public final class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
