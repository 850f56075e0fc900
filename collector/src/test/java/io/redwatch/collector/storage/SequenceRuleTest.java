package io.redwatch.collector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redwatch.collector.storage.SequenceRule.Verdict;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SequenceRuleTest {
    @Test
    void numbersAreUnsignedAndMayNotLeap() {
        assertEquals(Verdict.STORE, SequenceRule.judge(0, 1));
        assertEquals(Verdict.STORE, SequenceRule.judge(41, 42));
        assertEquals(Verdict.DUPLICATE, SequenceRule.judge(42, 42));
        assertEquals(Verdict.DUPLICATE, SequenceRule.judge(42, 7));
        assertEquals(Verdict.ZERO, SequenceRule.judge(42, 0));
        assertEquals(Verdict.STORE, SequenceRule.judge(0, SequenceRule.MAX_LEAP), "a restored backup is still let in");
        assertEquals(Verdict.LEAP, SequenceRule.judge(0, SequenceRule.MAX_LEAP + 1));
        assertEquals(Verdict.TOO_HIGH, SequenceRule.judge(0, Long.MAX_VALUE));
        // 2^64-1 arrives as -1: it is the largest number, not a small one
        assertEquals(Verdict.TOO_HIGH, SequenceRule.judge(42, -1));
        assertEquals(Verdict.TOO_HIGH, SequenceRule.judge(42, Long.MIN_VALUE));
        assertTrue(SequenceRule.reason(Verdict.TOO_HIGH, 42, -1).contains("18446744073709551615"));
        assertTrue(SequenceRule.poisoned(-1));
        assertTrue(SequenceRule.poisoned(Long.MAX_VALUE));
        assertEquals(false, SequenceRule.poisoned(1_000_000));
    }

    @Test
    void onlyDataErrorsAreDeadLettered() {
        assertEquals(
                "22008",
                DeadLetters.permanentCause(
                        new StorageException("x", new SQLException("timestamp out of range", "22008"))));
        assertEquals("23505", DeadLetters.permanentCause(new SQLException("duplicate key", "23505")));
        assertEquals("54000", DeadLetters.permanentCause(new SQLException("index row size exceeds", "54000")));
        assertEquals(
                null,
                DeadLetters.permanentCause(new StorageException("x", new SQLException("connection refused", "08001"))));
        assertEquals(null, DeadLetters.permanentCause(new SQLException("deadlock", "40P01")));
        assertEquals(null, DeadLetters.permanentCause(new SQLException("admin shutdown", "57P01")));
        assertEquals(
                null,
                DeadLetters.permanentCause(new SQLTransientConnectionException("pool timed out", "22000")),
                "a transient exception is never permanent, whatever its state");
        assertEquals(null, DeadLetters.permanentCause(new IllegalStateException("no SQL at all")));
    }
}
