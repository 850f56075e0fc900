package io.redwatch.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;

/**
 * The agent id used when none is configured: {@code <host name>-<8 hex digits>}, the digits from a
 * SHA-256 of /etc/machine-id. Host names repeat across cloned images and containers; two agents with
 * one id would have their batches taken for each other's duplicates. The machine id itself is not
 * sent (systemd asks that it not be exposed), only a short hash of it.
 *
 * <p>A clone keeps its template's machine id unless the image was prepared for cloning
 * ({@code systemd-machine-id-setup} after emptying /etc/machine-id), so clones must regenerate it or
 * set {@code agent_id}.
 */
public final class DefaultAgentId {
    public static final List<Path> MACHINE_ID_FILES =
            List.of(Path.of("/etc/machine-id"), Path.of("/var/lib/dbus/machine-id"));
    private static final Logger LOG = Logger.getLogger(DefaultAgentId.class.getName());

    private DefaultAgentId() {}

    /** From the first readable, non-empty machine id file; the bare host name (with a warning) if none. */
    public static String of(String hostname, List<Path> machineIdFiles) {
        for (Path f : machineIdFiles) {
            String id = read(f);
            if (!id.isEmpty()) return hostname + "-" + shortHash(id);
        }
        LOG.warning(
                "No machine id in " + machineIdFiles + ": using the host name '" + hostname + "' as this agent's id. "
                        + "Two machines with one host name would then overwrite each other's data: set agent_id in agent.yaml "
                        + "(or --agent-id), or create a machine id with systemd-machine-id-setup.");
        return hostname;
    }

    static String shortHash(String machineId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(machineId.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            LOG.fine(() -> "cannot read " + f + ": " + e);
            return "";
        }
    }
}
