package io.redwatch.agent.osfacts;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Finds the process listening on a TCP port, for when Redis does not answer and INFO cannot give its
 * pid: the LISTEN sockets on the port in /proc/net/tcp and tcp6 give socket inodes, and the process
 * whose /proc/&lt;pid&gt;/fd holds {@code socket:[inode]} is the listener.
 *
 * <p>This scans every process's fds, so it is meant for the rare case INFO fails, not every sample.
 * /proc/net is the agent's network namespace: a Redis in another namespace is not found.
 */
public final class ListeningPidFinder {

    private static final Logger LOG = Logger.getLogger(ListeningPidFinder.class.getName());

    private final Path procRoot;

    public ListeningPidFinder(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The pid listening on {@code port}, or empty when no process in this namespace listens on it. */
    public OptionalInt pidListeningOn(int port) {
        Set<String> targets = new HashSet<>();
        for (String table : new String[] {"net/tcp", "net/tcp6"}) {
            Path file = procRoot.resolve(table);
            try {
                for (long inode : TcpListeners.listeningInodes(ProcFile.read(file), port)) {
                    targets.add("socket:[" + inode + "]");
                }
            } catch (NoSuchFileException e) {
                // tcp6 is absent when IPv6 is disabled; tcp alone is then complete
                LOG.log(Level.FINE, "{0} does not exist", file);
            } catch (IOException e) {
                LOG.log(
                        Level.WARNING,
                        "cannot read " + file + "; listeners on port " + port + " there are not seen",
                        e);
            }
        }
        if (targets.isEmpty()) {
            return OptionalInt.empty();
        }
        Set<Integer> holders = new TreeSet<>();
        int denied = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(procRoot, ListeningPidFinder::isPidDir)) {
            for (Path proc : procs) {
                try {
                    if (holdsAny(proc.resolve("fd"), targets)) {
                        holders.add(Integer.parseInt(proc.getFileName().toString()));
                    }
                } catch (AccessDeniedException e) {
                    denied++;
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            LOG.log(Level.WARNING, "cannot list " + procRoot + " to find the listener on port " + port, e);
        }
        if (holders.isEmpty() && denied > 0) {
            LOG.warning("port " + port + " has a listener but its process was not found: " + denied
                    + " processes could not be inspected; " + ProcessFactsReader.PERMISSION_ADVICE);
        }
        return pickListener(holders);
    }

    /**
     * A forked child (a bgsave, a supervisor's worker) can inherit the listening socket; the listener
     * is the holder whose parent does not hold it too.
     */
    private OptionalInt pickListener(Set<Integer> holders) {
        if (holders.size() <= 1) {
            return holders.isEmpty()
                    ? OptionalInt.empty()
                    : OptionalInt.of(holders.iterator().next());
        }
        for (int pid : holders) {
            if (!holders.contains(parentOf(pid))) {
                return OptionalInt.of(pid);
            }
        }
        return OptionalInt.of(holders.iterator().next());
    }

    private int parentOf(int pid) {
        try {
            String status = ProcFile.read(procRoot.resolve(pid + "/status"));
            for (String line : status.split("\n")) {
                if (line.startsWith("PPid:")) {
                    return Integer.parseInt(line.substring(5).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.log(Level.FINE, "no parent pid for " + pid, e);
        }
        return -1;
    }

    private static boolean holdsAny(Path fdDir, Set<String> targets) throws AccessDeniedException {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (targets.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed since the listing, or denied: either way not a listener we can name
                }
            }
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException | DirectoryIteratorException e) {
            // the process exited while we looked
        }
        return false;
    }

    private static boolean isPidDir(Path p) {
        String name = p.getFileName().toString();
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return !name.isEmpty();
    }
}
