package io.redwatch.agent.osfacts;

import io.redwatch.proto.v1.InstanceRef;
import io.redwatch.proto.v1.ProcessFacts;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Redis process's descriptor, limit and memory facts from /proc/&lt;pid&gt;: the fds counted by
 * kind (the pipe leak of incident 3 shows as pipes growing while sockets do not), RLIMIT_NOFILE (the
 * real ceiling for new clients) and VmRSS/VmSize (what a fork must be promised).
 *
 * <p>Runs every sampling interval on a process that may hold 10,000+ fds, so the fd directory is
 * streamed and each link is classified as it is read; nothing is collected into lists. The process
 * may exit, or fds close, while it is read: this never throws, counts what it could read and says in
 * {@code error} what it could not.
 */
public final class ProcessFactsReader {

    static final String PERMISSION_ADVICE = "the agent needs CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE"
            + " (or to run as the redis user) to read another user's /proc/<pid>/fd";

    private final Path procRoot;

    public ProcessFactsReader(Path procRoot) {
        this.procRoot = procRoot;
    }

    public ProcessFacts read(InstanceRef ref, int pid, String pidSource, long tsMs) {
        ProcessFacts.Builder b = ProcessFacts.newBuilder()
                .setRef(ref)
                .setTsMs(tsMs)
                .setPid(pid)
                .setPidSource(pidSource)
                .setNofileSoft(-1)
                .setNofileHard(-1);
        Path pidDir = procRoot.resolve(Integer.toString(pid));
        List<String> errors = new ArrayList<>(2);
        if (pid <= 0 || !Files.isDirectory(pidDir)) {
            errors.add("no process " + pid + ": " + pidDir
                    + " does not exist (it exited, or the pid is from another pid namespace)");
        } else {
            countFds(pidDir.resolve("fd"), b, errors);
            readLimits(pidDir.resolve("limits"), b, errors);
            readStatus(pidDir.resolve("status"), b, errors);
        }
        return b.setError(String.join("; ", errors)).build();
    }

    private static void countFds(Path fdDir, ProcessFacts.Builder b, List<String> errors) {
        int total = 0;
        int unreadable = 0;
        IOException firstUnreadable = null;
        int[] byKind = new int[FdKind.values().length];
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException e) {
                    continue; // closed between the listing and the readlink: it is no longer open
                } catch (IOException e) {
                    total++;
                    unreadable++;
                    firstUnreadable = firstUnreadable == null ? e : firstUnreadable;
                    continue;
                }
                total++;
                byKind[FdKind.classify(target, () -> Files.isRegularFile(fd)).ordinal()]++;
            }
        } catch (NoSuchFileException e) {
            errors.add(fdDir + " does not exist: the process exited");
        } catch (AccessDeniedException e) {
            errors.add("permission denied reading " + fdDir + ": " + PERMISSION_ADVICE);
        } catch (IOException | DirectoryIteratorException e) {
            errors.add("listing " + fdDir + " stopped after " + total + " fds (" + e.getMessage()
                    + "): the process probably exited; counts are partial");
        }
        if (unreadable > 0) {
            errors.add(unreadable + " of " + total + " links in " + fdDir
                    + " could not be read and are counted in fd_total only ("
                    + (firstUnreadable instanceof AccessDeniedException
                            ? "permission denied: " + PERMISSION_ADVICE
                            : "first: " + firstUnreadable)
                    + ")");
        }
        b.setFdTotal(total)
                .setFdSockets(byKind[FdKind.SOCKET.ordinal()])
                .setFdPipes(byKind[FdKind.PIPE.ordinal()])
                .setFdAnonInodes(byKind[FdKind.ANON_INODE.ordinal()])
                .setFdFiles(byKind[FdKind.FILE.ordinal()])
                .setFdOther(byKind[FdKind.OTHER.ordinal()]);
    }

    private static void readLimits(Path file, ProcessFacts.Builder b, List<String> errors) {
        String text = readOrReport(file, errors);
        if (text == null) {
            return;
        }
        try {
            NofileLimit limit = NofileLimit.parse(text);
            b.setNofileSoft(limit.soft()).setNofileHard(limit.hard());
        } catch (ProcFormatException e) {
            errors.add(file + ": " + e.getMessage());
        }
    }

    private static void readStatus(Path file, ProcessFacts.Builder b, List<String> errors) {
        String text = readOrReport(file, errors);
        if (text == null) {
            return;
        }
        try {
            ProcStatus status = ProcStatus.parse(text);
            if (status.vmRssBytes() < 0 || status.vmSizeBytes() < 0) {
                errors.add(file + ": no VmRSS/VmSize lines (a kernel thread or a zombie process)");
            }
            b.setVmRss(Math.max(0, status.vmRssBytes())).setVmSize(Math.max(0, status.vmSizeBytes()));
        } catch (ProcFormatException e) {
            errors.add(file + ": " + e.getMessage());
        }
    }

    private static String readOrReport(Path file, List<String> errors) {
        try {
            // ISO-8859-1 never fails to decode: status carries the process name, which may be any bytes.
            return ProcFile.read(file);
        } catch (NoSuchFileException e) {
            errors.add(file + " does not exist: the process exited");
        } catch (AccessDeniedException e) {
            errors.add("permission denied reading " + file + ": " + PERMISSION_ADVICE);
        } catch (IOException e) {
            errors.add("cannot read " + file + " (" + e + ")");
        }
        return null;
    }
}
