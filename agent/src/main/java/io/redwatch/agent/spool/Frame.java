package io.redwatch.agent.spool;

import io.redwatch.proto.RecordTime;
import io.redwatch.proto.v1.Batch;
import io.redwatch.proto.v1.Gap;
import io.redwatch.proto.v1.Record;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One batch as stored in a segment file: a 48-byte header, then the batch serialized without its
 * sequence number (numbers are assigned later and kept in the spool's metadata).
 *
 * <pre>
 *  0  4  magic "RWS1"
 *  4  4  CRC32C of header bytes 8..47
 *  8  4  payload length
 * 12  4  CRC32C of the payload
 * 16  4  flags (bit 0: the batch holds log lines)
 * 20  4  batches it stands for (1, plus batches_lost of gap records inside)
 * 24  8  records it stands for (records, counting a gap record as its records_lost)
 * 32  8  earliest record time, ms
 * 40  8  latest record time, ms
 * </pre>
 *
 * The header has its own checksum, so when only the payload is torn or damaged the loss can still
 * be reported with its record count and time span.
 */
record Frame(int payloadLength, int payloadCrc, boolean hasLogs, int batches, long records, long fromMs, long toMs) {
    static final int MAGIC = 0x52575331;
    static final int HEADER_BYTES = 48;
    /** Larger than any batch the shipper makes (1 MiB); a bigger length can only be garbage. */
    static final int MAX_PAYLOAD = 64 << 20;

    private static final int FLAG_LOGS = 1;

    /** The header of a batch about to be written, with its payload. */
    static Frame describe(Batch batch, byte[] payload) {
        boolean logs = false;
        int batches = 1;
        long records = 0;
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (Record r : batch.getRecordsList()) {
            if (r.hasGap()) {
                Gap g = r.getGap();
                records += g.getRecordsLost();
                batches += (int) Math.min(Integer.MAX_VALUE - batches, g.getBatchesLost());
                if (g.getFromMs() > 0) from = Math.min(from, g.getFromMs());
            } else {
                records++;
            }
            logs |= r.hasLog();
            long ts = RecordTime.of(r);
            if (ts > 0) {
                from = Math.min(from, ts);
                to = Math.max(to, ts);
            }
        }
        if (from == Long.MAX_VALUE) from = batch.getCreatedMs();
        if (to == Long.MIN_VALUE) to = batch.getCreatedMs();
        return new Frame(payload.length, crc(payload, 0, payload.length), logs, batches, records, from, to);
    }

    /** Header and payload, ready to append. */
    ByteBuffer encode(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        b.putInt(MAGIC)
                .putInt(0)
                .putInt(payloadLength)
                .putInt(payloadCrc)
                .putInt(hasLogs ? FLAG_LOGS : 0)
                .putInt(batches)
                .putLong(records)
                .putLong(fromMs)
                .putLong(toMs);
        b.putInt(4, crc(b.array(), 8, HEADER_BYTES - 8));
        b.put(payload);
        return b.flip();
    }

    /** The header at the buffer's position (HEADER_BYTES available), or null when it is not a valid one. */
    static Frame decodeHeader(ByteBuffer b) {
        int at = b.position();
        if (b.getInt(at) != MAGIC) return null;
        byte[] h = new byte[HEADER_BYTES - 8];
        b.get(at + 8, h);
        if (b.getInt(at + 4) != crc(h, 0, h.length)) return null;
        int length = b.getInt(at + 8);
        if (length < 0 || length > MAX_PAYLOAD) return null;
        return new Frame(
                length,
                b.getInt(at + 12),
                (b.getInt(at + 16) & FLAG_LOGS) != 0,
                b.getInt(at + 20),
                b.getLong(at + 24),
                b.getLong(at + 32),
                b.getLong(at + 40));
    }

    int totalLength() {
        return HEADER_BYTES + payloadLength;
    }

    boolean payloadMatches(byte[] payload) {
        return payload.length == payloadLength && crc(payload, 0, payload.length) == payloadCrc;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }
}
