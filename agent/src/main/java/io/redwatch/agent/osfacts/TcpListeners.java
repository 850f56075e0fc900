package io.redwatch.agent.osfacts;

import java.util.HashSet;
import java.util.Set;

/**
 * /proc/net/tcp and /proc/net/tcp6: the socket inodes listening on a port. Columns are
 * {@code sl local_address rem_address st ... inode}; local_address is {@code HEXADDR:HEXPORT},
 * st {@code 0A} is TCP_LISTEN.
 */
public final class TcpListeners {

    private static final String LISTEN = "0A";
    private static final int LOCAL_ADDRESS = 1;
    private static final int STATE = 3;
    private static final int INODE = 9;

    private TcpListeners() {}

    /** Inodes of sockets in LISTEN state on {@code port}, on any local address. Malformed rows are skipped. */
    public static Set<Long> listeningInodes(String netTcpText, int port) {
        Set<Long> inodes = new HashSet<>();
        for (String line : netTcpText.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length <= INODE || !LISTEN.equals(f[STATE])) {
                continue; // the header row, or a socket in another state
            }
            int colon = f[LOCAL_ADDRESS].lastIndexOf(':');
            try {
                if (colon > 0 && Integer.parseInt(f[LOCAL_ADDRESS].substring(colon + 1), 16) == port) {
                    long inode = Long.parseLong(f[INODE]);
                    if (inode != 0) {
                        inodes.add(inode);
                    }
                }
            } catch (NumberFormatException e) {
                // Not a socket row; the kernel never writes one, so there is nothing to keep.
            }
        }
        return inodes;
    }
}
