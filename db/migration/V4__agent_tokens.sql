-- Per-agent tokens. Only the SHA-256 of each token is stored: the token itself is printed once by
-- `redwatch-collector token create` and never kept. An agent may have several tokens (rotation:
-- create the new one, roll it out, revoke the old ones). No foreign key to agents: a token is
-- created before its agent ever connects, and Citus forbids cross-shard keys anyway.
CREATE TABLE agent_tokens (
    id           bigserial   PRIMARY KEY,
    agent_id     text        NOT NULL,
    token_sha256 bytea       NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX agent_tokens_agent ON agent_tokens (agent_id);
