package io.redwatch.collector.security;

import io.redwatch.collector.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.sql.DataSource;

/**
 * Per-agent tokens in table {@code agent_tokens}: 32 random bytes, printed once (base64url) and
 * stored only as their SHA-256. A random 256-bit token needs no slow password hash: nobody can
 * guess a preimage, and the hash alone lets no one connect.
 */
public final class AgentTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 32;

    private final DataSource db;

    public AgentTokens(DataSource db) {
        this.db = db;
    }

    /** One token of an agent, as {@code token list} shows it: never the token, never its hash. */
    public record TokenInfo(long id, String agentId, Instant created, Instant expires, Instant revoked) {}

    /** Creates a token for {@code agentId}, valid for {@code validFor} (null: no expiry); returns it in clear. */
    public String create(String agentId, Duration validFor) {
        checkAgentId(agentId);
        byte[] raw = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO agent_tokens (agent_id, token_sha256, expires_at) VALUES (?, ?, ?)")) {
            ps.setString(1, agentId);
            ps.setBytes(2, sha256(token));
            ps.setTimestamp(
                    3, validFor == null ? null : Timestamp.from(Instant.now().plus(validFor)));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("cannot store a token for agent " + agentId + ": " + e.getMessage(), e);
        }
        return token;
    }

    /** Revokes every token of {@code agentId} not revoked yet; returns how many. */
    public int revoke(String agentId) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE agent_tokens SET revoked_at = now() WHERE agent_id = ? AND revoked_at IS NULL")) {
            ps.setString(1, agentId);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException("cannot revoke the tokens of agent " + agentId + ": " + e.getMessage(), e);
        }
    }

    /** Every token, by agent id then age. */
    public List<TokenInfo> list() {
        List<TokenInfo> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, agent_id, created_at, expires_at, revoked_at FROM agent_tokens ORDER BY agent_id, id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TokenInfo(
                        rs.getLong(1),
                        rs.getString(2),
                        instant(rs.getTimestamp(3)),
                        instant(rs.getTimestamp(4)),
                        instant(rs.getTimestamp(5))));
            }
        } catch (SQLException e) {
            throw new StorageException("cannot list agent tokens: " + e.getMessage(), e);
        }
        return out;
    }

    /** Whether {@code token} lets {@code agentId} in at {@code now}; the refusal says why. */
    public TokenCheck check(String agentId, String token, Instant now) {
        if (token == null || token.isEmpty()) return TokenCheck.MISSING;
        byte[] presented = sha256(token);
        boolean anyRow = false;
        TokenCheck result = TokenCheck.WRONG;
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT token_sha256, expires_at, revoked_at FROM agent_tokens WHERE agent_id = ?")) {
            ps.setString(1, agentId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    anyRow = true;
                    // Every row is compared, in constant time, so timing tells nothing about the hashes.
                    if (!MessageDigest.isEqual(presented, rs.getBytes(1))) continue;
                    Timestamp expires = rs.getTimestamp(2);
                    if (rs.getTimestamp(3) != null) result = TokenCheck.REVOKED;
                    else if (expires != null && !expires.toInstant().isAfter(now)) result = TokenCheck.EXPIRED;
                    else result = TokenCheck.OK;
                }
            }
        } catch (SQLException e) {
            throw new StorageException("cannot check the token of agent " + agentId + ": " + e.getMessage(), e);
        }
        return anyRow ? result : TokenCheck.UNKNOWN_AGENT;
    }

    /**
     * Of {@code hashes} (SHA-256 of tokens in use), those still neither revoked nor expired; one
     * query for every open stream, so a revocation reaches them all at the next re-check.
     */
    public java.util.Set<java.nio.ByteBuffer> stillValid(java.util.Collection<byte[]> hashes) {
        java.util.Set<java.nio.ByteBuffer> valid = new java.util.HashSet<>();
        if (hashes.isEmpty()) return valid;
        try (Connection c = db.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT token_sha256 FROM agent_tokens WHERE token_sha256 = ANY(?)"
                                + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())")) {
            ps.setArray(1, c.createArrayOf("bytea", hashes.toArray(new byte[0][])));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) valid.add(java.nio.ByteBuffer.wrap(rs.getBytes(1)));
            }
        } catch (SQLException e) {
            throw new StorageException("cannot re-check the tokens of open agent streams: " + e.getMessage(), e);
        }
        return valid;
    }

    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Agent ids are what operators type and what logs show: printable, at most 200 characters. */
    public static void checkAgentId(String agentId) {
        String problem = AgentIds.problem(agentId);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
