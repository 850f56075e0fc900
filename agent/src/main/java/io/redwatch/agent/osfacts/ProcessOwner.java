package io.redwatch.agent.osfacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The user a process creates files as: the filesystem uid, the fourth number of the {@code Uid:}
 * line of /proc/&lt;pid&gt;/status (real, effective, saved, filesystem). The log tailer reads only a
 * redis.log owned by this user.
 */
public final class ProcessOwner {
    private ProcessOwner() {}

    /** Empty when the process is gone or its status cannot be read or parsed. */
    public static OptionalInt filesystemUid(Path procRoot, int pid) {
        if (pid <= 0) return OptionalInt.empty();
        String text;
        try {
            // ISO-8859-1 never fails to decode: status carries the process name, which may be any bytes.
            text = new String(
                    Files.readAllBytes(procRoot.resolve(Integer.toString(pid)).resolve("status")),
                    StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
        return parse(text);
    }

    static OptionalInt parse(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                try {
                    return OptionalInt.of(Integer.parseInt(f[f.length >= 4 ? 3 : 0]));
                } catch (NumberFormatException e) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }
}
