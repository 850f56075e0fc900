package io.redwatch.agent.osfacts;

import java.util.function.BooleanSupplier;

/** What a /proc/&lt;pid&gt;/fd/N link points at, judged by the link's target text. */
public enum FdKind {
    SOCKET,
    PIPE,
    ANON_INODE,
    FILE,
    OTHER;

    /**
     * Classifies a link target: {@code socket:[123]}, {@code pipe:[123]}, {@code anon_inode:[eventpoll]},
     * or a path. A path outside /dev counts as a file only if {@code isRegularFile} says so (the
     * caller stats the fd, which works even for deleted files); directories, devices and the rest are
     * OTHER. The check is asked only for paths, so the thousands of sockets and pipes cost no stat.
     */
    public static FdKind classify(String target, BooleanSupplier isRegularFile) {
        if (target.startsWith("socket:")) {
            return SOCKET;
        }
        if (target.startsWith("pipe:")) {
            return PIPE;
        }
        if (target.startsWith("anon_inode:")) {
            return ANON_INODE;
        }
        if (target.startsWith("/") && !target.startsWith("/dev/") && isRegularFile.getAsBoolean()) {
            return FILE;
        }
        return OTHER;
    }
}
