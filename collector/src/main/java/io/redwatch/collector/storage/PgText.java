package io.redwatch.collector.storage;

/**
 * Text as PostgreSQL accepts it. PostgreSQL refuses U+0000 in text and jsonb, and one such
 * character would make the whole batch fail again at every resend, so it is stored as U+FFFD.
 */
final class PgText {
    static final char NUL_REPLACEMENT = '\uFFFD';

    private PgText() {}

    static String of(String s) {
        return s == null || s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', NUL_REPLACEMENT);
    }
}
