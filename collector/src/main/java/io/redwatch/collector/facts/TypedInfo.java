package io.redwatch.collector.facts;

import io.redwatch.proto.v1.InfoSample;
import io.redwatch.proto.v1.InfoSection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One INFO sample as the collector holds it after ingest: only the fields of the catalog
 * ({@link InfoField}), numbers as longs, texts shared ({@link SharedText}). A sample of the 40-odd
 * fields rules read costs a few hundred bytes, against ~15 KB for the whole reply as text.
 *
 * <p>Values are packed: a bit per catalog field says whether the sample has it, a second bit whether
 * it is held as text (a number field whose text is not a plain whole number, such as {@code 1.5},
 * stays text, so nothing is altered), and the values follow in catalog order. Immutable.
 */
public final class TypedInfo {
    private static final byte PASTED = 1;
    private static final byte FAILED = 2;
    private static final String COUNT = "count=";

    private final long tsMs;
    private final byte flags;
    private final long present;
    private final long textual;
    private final long[] numbers;
    private final String[] texts;

    private TypedInfo(long tsMs, byte flags, long present, long textual, long[] numbers, String[] texts) {
        this.tsMs = tsMs;
        this.flags = flags;
        this.present = present;
        this.textual = textual;
        this.numbers = numbers;
        this.texts = texts;
    }

    /** From the agent's record: one pass over its sections, fields outside the catalog skipped. */
    public static TypedInfo of(InfoSample s) {
        Packer p = new Packer();
        for (InfoSection section : s.getSectionsList()) {
            for (io.redwatch.proto.v1.InfoField f : section.getFieldsList()) p.put(f.getKey(), f.getValue());
        }
        return p.build(s.getTsMs(), "file".equals(s.getSource()), !s.getError().isEmpty());
    }

    /** From fields by name (a stored record, or a sample already flattened for storage). */
    public static TypedInfo of(long tsMs, boolean pasted, boolean failed, Map<String, String> fields) {
        Packer p = new Packer();
        if (fields.size() <= InfoField.windowFields() * 2) {
            fields.forEach(p::put);
        } else {
            for (int slot = 0; slot < InfoField.windowFields(); slot++) {
                String key = InfoField.atSlot(slot).key();
                String v = fields.get(key);
                if (v != null) p.put(key, v);
            }
        }
        return p.build(tsMs, pasted, failed);
    }

    public long tsMs() {
        return tsMs;
    }

    /** Pasted INFO text: its time is when it was pasted, not when the server said it. */
    public boolean pasted() {
        return (flags & PASTED) != 0;
    }

    /** INFO could not be read at this sample (the sample carries the error, not fields). */
    public boolean failed() {
        return (flags & FAILED) != 0;
    }

    public boolean has(InfoField f) {
        return f.slot() >= 0 && (present & bit(f)) != 0;
    }

    /** The value as Redis wrote it. */
    public Optional<String> text(InfoField f) {
        if (!has(f)) return Optional.empty();
        long b = bit(f);
        if ((textual & b) != 0) return Optional.of(texts[Long.bitCount(textual & (b - 1))]);
        long v = numbers[Long.bitCount(present & ~textual & (b - 1))];
        return Optional.of(f.type() == InfoField.Type.ERRORSTAT ? COUNT + v : Long.toString(v));
    }

    /** The value as a whole number: a decimal is cut to its whole part; empty when it is no number. */
    public OptionalLong number(InfoField f) {
        if (!has(f)) return OptionalLong.empty();
        long b = bit(f);
        if ((textual & b) == 0) return OptionalLong.of(numbers[Long.bitCount(present & ~textual & (b - 1))]);
        String t = texts[Long.bitCount(textual & (b - 1))].trim();
        try {
            return OptionalLong.of((long) Double.parseDouble(t));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** This sample without the fields only the newest sample of a window needs ({@link InfoField.Keep#LATEST}). */
    public TypedInfo seriesOnly() {
        long keep = 0;
        for (int slot = 0; slot < InfoField.windowFields(); slot++) {
            if (InfoField.atSlot(slot).keep() == InfoField.Keep.SERIES) keep |= 1L << slot;
        }
        if ((present & ~keep) == 0) return this;
        Packer p = new Packer();
        for (int slot = 0; slot < InfoField.windowFields(); slot++) {
            InfoField f = InfoField.atSlot(slot);
            if ((keep & (1L << slot)) == 0 || !has(f)) continue;
            long b = 1L << slot;
            if ((textual & b) != 0) {
                p.text(slot, texts[Long.bitCount(textual & (b - 1))]);
            } else {
                p.number(slot, numbers[Long.bitCount(present & ~textual & (b - 1))]);
            }
        }
        return p.build(tsMs, pasted(), failed());
    }

    /** How many catalog fields the sample holds. */
    public int size() {
        return Long.bitCount(present);
    }

    private static long bit(InfoField f) {
        return 1L << f.slot();
    }

    /** Collects values by slot, then packs them. */
    private static final class Packer {
        private final long[] nums = new long[InfoField.windowFields()];
        private final String[] txts = new String[InfoField.windowFields()];
        private long present;
        private long textual;

        void put(String key, String value) {
            Optional<InfoField> known = InfoField.byKey(key);
            if (known.isEmpty() || known.get().slot() < 0) return;
            InfoField f = known.get();
            switch (f.type()) {
                case NUMBER -> {
                    if (wholeNumber(value)) {
                        number(f.slot(), Long.parseLong(value));
                    } else {
                        text(f.slot(), value);
                    }
                }
                case ERRORSTAT -> {
                    // count=N, possibly followed by ",rejected_calls=…" (Redis 7)
                    int end = value.indexOf(',');
                    String n = value.startsWith(COUNT)
                            ? value.substring(COUNT.length(), end < 0 ? value.length() : end)
                            : "";
                    if (end < 0 && wholeNumber(n)) {
                        number(f.slot(), Long.parseLong(n));
                    } else {
                        text(f.slot(), value);
                    }
                }
                case TEXT -> text(f.slot(), value);
            }
        }

        void number(int slot, long v) {
            present |= 1L << slot;
            textual &= ~(1L << slot);
            nums[slot] = v;
        }

        void text(int slot, String v) {
            present |= 1L << slot;
            textual |= 1L << slot;
            txts[slot] = SharedText.of(v);
        }

        TypedInfo build(long tsMs, boolean pasted, boolean failed) {
            long[] numbers = new long[Long.bitCount(present & ~textual)];
            String[] texts = textual == 0 ? null : new String[Long.bitCount(textual)];
            int n = 0;
            int t = 0;
            for (long rest = present; rest != 0; rest &= rest - 1) {
                int slot = Long.numberOfTrailingZeros(rest);
                if ((textual & (1L << slot)) != 0) {
                    texts[t++] = txts[slot];
                } else {
                    numbers[n++] = nums[slot];
                }
            }
            byte flags = (byte) ((pasted ? PASTED : 0) | (failed ? FAILED : 0));
            return new TypedInfo(tsMs, flags, present, textual, numbers, texts);
        }

        /** Digits with an optional minus, that a long holds and that reads back as the same text. */
        private static boolean wholeNumber(String s) {
            int len = s.length();
            if (len == 0 || len > 19) return false;
            int i = s.charAt(0) == '-' ? 1 : 0;
            if (i == len || len - i > 1 && s.charAt(i) == '0') return false;
            for (; i < len; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') return false;
            }
            if (len - (s.charAt(0) == '-' ? 1 : 0) == 19) {
                try {
                    Long.parseLong(s);
                } catch (NumberFormatException e) {
                    return false; // past a long: kept as text
                }
            }
            return !s.equals("-0");
        }
    }
}
