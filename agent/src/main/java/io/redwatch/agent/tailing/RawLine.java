package io.redwatch.agent.tailing;

import io.redwatch.proto.v1.FileIdentity;

/**
 * One complete line of a followed log file, before any parsing.
 *
 * <p>{@code offset} is the file offset of the line's first byte and {@code endOffset} the offset just
 * past its terminating {@code \n}; together with {@code fileId} they are the collector's dedup key,
 * so re-reading a line after a restart yields the same three values.
 *
 * <p>{@code fileId} covers the first {@code min(1024, endOffset)} bytes of the file. That makes it
 * a function of the file's content up to this line (and the inode), so a re-read line carries the
 * same identity as when it was first read, even for the first lines of a freshly rotated file.
 *
 * @param fileId    device, inode and head fingerprint of the file the line came from
 * @param file      the path the file was read through (for a rotated file, its new name)
 * @param offset    offset of the first byte of the line
 * @param endOffset offset just past the line's newline (or past its last byte, for the unterminated
 *                  tail of a rotated-away file)
 * @param text      the line decoded as UTF-8 with replacement, without {@code \n}, {@code \r} or NUL
 *                  bytes; when {@code truncated}, the kept prefix followed by a {@code …[cut: N bytes]}
 *                  marker
 * @param truncated whether the line was longer than the tailer's maximum line length
 */
public record RawLine(FileIdentity fileId, String file, long offset, long endOffset, String text, boolean truncated) {}
