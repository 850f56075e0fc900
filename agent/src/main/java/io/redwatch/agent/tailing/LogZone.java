package io.redwatch.agent.tailing;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;

/**
 * The time zone log lines without an offset were written in, and the calendar work they need:
 * local time to instant, and the year of a line that does not print one.
 *
 * <p><b>Year inference</b>: the year is the latest one that does not put the timestamp more than
 * two days after {@code referenceMs}. In practice: the year of {@code referenceMs} in the zone, or
 * the previous one for a December line read in January, or (rarely) the next one for a line
 * stamped just after new year by a clock running slightly ahead of the reader's.
 *
 * <p>Thread-safe: the only mutable state is a one-entry cache that is replaced whole.
 */
final class LogZone {

    private static final long TWO_DAYS_MS = 2L * 24 * 3600 * 1000;

    private final ZoneId zone;
    private final ZoneRules rules;
    /** The zone's offset in seconds when it never changes, else Integer.MIN_VALUE. */
    private final int fixedOffsetSeconds;
    /** Offset of the last local hour seen; replaced whole, so sharing between threads is safe. */
    private volatile HourOffset lastHour;

    LogZone(ZoneId zone) {
        this.zone = zone;
        this.rules = zone.getRules();
        this.fixedOffsetSeconds =
                rules.isFixedOffset() ? rules.getOffset(Instant.EPOCH).getTotalSeconds() : Integer.MIN_VALUE;
    }

    ZoneId zone() {
        return zone;
    }

    /**
     * Sets {@code f.tsMs} from the date and time a Redis line header left in f: unix seconds, a full
     * local date, or a date without a year. False when no such date exists (31 Feb).
     */
    boolean resolve(LineFields f, long ref) {
        if (f.epochSeconds >= 0) {
            f.tsMs = f.epochSeconds * 1000;
            return true;
        }
        if (f.year >= 0) {
            if (f.day > CivilDate.daysInMonth(f.year, f.month)) {
                return false;
            }
            f.tsMs = localToEpochMs(f.year, f.month, f.day, f);
            return true;
        }
        long ts = inferYear(f, ref);
        if (ts == Long.MIN_VALUE) {
            return false;
        }
        f.tsMs = ts;
        return true;
    }

    /**
     * See the class comment: the latest year, from the one after the reference's down to four
     * before it (29 February), that exists for the date and is at most two days ahead. Returns the
     * instant in epoch ms, or Long.MIN_VALUE.
     */
    long inferYear(LineFields f, long ref) {
        long refDay = localEpochDay(ref);
        int refYear = CivilDate.yearFromEpochDay(refDay);
        // Next year can only be right for early January read in the last days of December; trying it
        // only then keeps the per-hour offset cache warm.
        int latest = f.month == 1 && refDay >= CivilDate.epochDay(refYear, 12, 29) ? refYear + 1 : refYear;
        for (int year = latest; year >= refYear - 4; year--) {
            if (f.day <= CivilDate.daysInMonth(year, f.month)) {
                long ts = localToEpochMs(year, f.month, f.day, f);
                if (ts <= ref + TWO_DAYS_MS) {
                    return ts;
                }
            }
        }
        return Long.MIN_VALUE;
    }

    private long localEpochDay(long epochMs) {
        int offset = fixedOffsetSeconds != Integer.MIN_VALUE
                ? fixedOffsetSeconds
                : rules.getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds();
        return Math.floorDiv(Math.floorDiv(epochMs, 1000) + offset, 86400);
    }

    private long localToEpochMs(int year, int month, int day, LineFields f) {
        long localSeconds = CivilDate.epochDay(year, month, day) * 86400 + f.hour * 3600L + f.minute * 60L + f.second;
        return (localSeconds - offsetForLocal(localSeconds)) * 1000 + f.nanos / 1_000_000;
    }

    /**
     * The zone's offset for a local time (seconds since 1970-01-01T00:00 local). Cached per local
     * hour because java.time's lookup allocates; an hour that contains a transition is never cached.
     */
    int offsetForLocal(long localSeconds) {
        if (fixedOffsetSeconds != Integer.MIN_VALUE) {
            return fixedOffsetSeconds;
        }
        long hour = Math.floorDiv(localSeconds, 3600);
        HourOffset cached = lastHour;
        if (cached != null && cached.hour == hour) {
            return cached.offsetSeconds;
        }
        int offset = lookupOffset(localSeconds);
        int atStart = lookupOffset(hour * 3600);
        int atEnd = lookupOffset(hour * 3600 + 3599);
        if (offset == atStart && offset == atEnd) {
            lastHour = new HourOffset(hour, offset);
        }
        return offset;
    }

    /** In a gap (clocks jump forward) the offset before it; in an overlap the earlier offset. */
    private int lookupOffset(long localSeconds) {
        LocalDateTime local = LocalDateTime.ofEpochSecond(localSeconds, 0, ZoneOffset.UTC);
        List<ZoneOffset> valid = rules.getValidOffsets(local);
        if (!valid.isEmpty()) {
            return valid.get(0).getTotalSeconds();
        }
        ZoneOffsetTransition gap = rules.getTransition(local);
        return gap.getOffsetBefore().getTotalSeconds();
    }

    private static final class HourOffset {
        final long hour;
        final int offsetSeconds;

        HourOffset(long hour, int offsetSeconds) {
            this.hour = hour;
            this.offsetSeconds = offsetSeconds;
        }
    }
}
