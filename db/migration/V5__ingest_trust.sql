-- Trust at the ingest edge (issue 9): who may write which instance, batches the database refuses,
-- and clocks that are not taken at their word.

-- Which agent owns an instance ("host:port", kind 'instance') or a host (kind 'host', for host
-- facts). The first agent whose records name it binds it; records of any other agent for it are
-- refused. An operator moves a binding with `redwatch-collector instance move`.
CREATE TABLE name_owners (
    kind     text        NOT NULL CHECK (kind IN ('instance', 'host')),
    name     text        NOT NULL,
    agent_id text        NOT NULL,
    bound_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

-- Today's owners are the agents that wrote them last.
INSERT INTO name_owners (kind, name, agent_id)
SELECT 'instance', instance, agent_id FROM instances WHERE agent_id IS NOT NULL
ON CONFLICT DO NOTHING;

-- Batches PostgreSQL refused for a reason a retry cannot fix (an unknown record kind, a value past
-- a limit, a constraint): kept whole (the AgentMessage batch bytes) with the reason, acknowledged,
-- so one poison batch never stalls its agent. Rare, so not partitioned.
CREATE TABLE dead_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id    text        NOT NULL,
    seq         bigint      NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    sql_state   text,
    reason      text        NOT NULL,
    records     integer     NOT NULL,
    batch       bytea       NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at);

-- An agent whose clock runs ahead (or far behind): how far, when last seen, and how many of its
-- records were stored at the collector's receive time instead of their own.
ALTER TABLE agents ADD COLUMN clock_skew_ms bigint;
ALTER TABLE agents ADD COLUMN clock_adjusted_records bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE VIEW redwatch_agents AS
SELECT agent_id, host, version, last_seq, last_seen, interval_ms, created_at, clock_skew_ms, clock_adjusted_records
  FROM agents;

CREATE VIEW redwatch_dead_letters AS
SELECT id, agent_id, seq, received_at, sql_state, reason, records
  FROM dead_letters;

-- Sequence numbers at or above 2^53 can only come from a forged batch (a real agent counts up from
-- 1 by one per batch): before this version such a batch muted its agent for good. Reset them, and
-- say so where operators look for lost data.
INSERT INTO gaps (agent_id, host, reason, batch_seq)
SELECT agent_id, host, 'last_seq ' || last_seq || ' was impossible (forged batch?) and was reset to 0 by migration V5', last_seq
  FROM agents WHERE last_seq < 0 OR last_seq >= 9007199254740992;
UPDATE agents SET last_seq = 0 WHERE last_seq < 0 OR last_seq >= 9007199254740992;

-- Rows stamped in the far future (before clocks were bounded) sit in the DEFAULT partitions, which
-- are never dropped, and would stay "latest" for good. Retention now also deletes rows more than a
-- day ahead of now from them; do it once here too.
CREATE OR REPLACE FUNCTION redwatch_delete_future_defaults(ahead interval DEFAULT interval '1 day')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t record;
    n bigint;
    total bigint := 0;
BEGIN
    FOR t IN SELECT table_name, ts_column FROM partitioned_tables ORDER BY table_name LOOP
        EXECUTE format('DELETE FROM %I WHERE %I > $1', t.table_name || '_default', t.ts_column)
            USING now() + ahead;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
    END LOOP;
    UPDATE instances SET last_seen = now() WHERE last_seen > now() + ahead;
    RETURN total;
END $$;

SELECT redwatch_delete_future_defaults();
