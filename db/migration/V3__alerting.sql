-- Alerting: alerts, the notification outbox, the messages sent, and silences.
--
-- An alert is keyed by (rule, instance); at most one is open (state 'firing') per key. Each change
-- of an alert writes its notifications in the same transaction (the outbox); dispatchers claim due
-- rows with FOR UPDATE SKIP LOCKED and a lease, so several collectors never send one twice and a
-- crashed dispatcher's rows are taken over once its lease has expired.
-- No foreign keys: like the other tables, these stay distributable under Citus.
-- Operators read the redwatch_* views at the end; the tables may change.

CREATE TABLE alerts (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule                text        NOT NULL,
    severity            text        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    instance            text        NOT NULL,
    host                text        NOT NULL,
    state               text        NOT NULL CHECK (state IN ('firing', 'resolved')),
    started_at          timestamptz NOT NULL,
    resolved_at         timestamptz,
    last_seen_at        timestamptz NOT NULL,
    -- consecutive evaluations that did not find it; resolved after the recovery period
    missed_evaluations  integer     NOT NULL DEFAULT 0,
    -- the last firing or repeat notification, for repeat_interval
    last_notified_at    timestamptz,
    summary             text        NOT NULL,
    evidence            jsonb       NOT NULL DEFAULT '[]'::jsonb,
    advice              text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, instance) WHERE state = 'firing';
CREATE INDEX alerts_instance_state ON alerts (instance, state);
CREATE INDEX alerts_state_started ON alerts (state, started_at DESC);

-- One message sent (or being sent) to one recipient over one channel; it may carry many
-- notifications (grouped per host) and a count of rate-limited ones. Counted by the rate limit.
CREATE TABLE alert_messages (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel          text        NOT NULL,
    recipient        text        NOT NULL,
    host             text,
    status           text        NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    alerts           integer     NOT NULL DEFAULT 0,
    suppressed_count integer     NOT NULL DEFAULT 0,
    claimed_by       text,
    error            text
);
CREATE INDEX alert_messages_recipient ON alert_messages (channel, recipient, created_at);

CREATE TABLE notifications (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id         bigint      NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('firing', 'resolved', 'repeat')),
    channel          text        NOT NULL,
    recipient        text        NOT NULL,
    -- copied from the alert so grouping by host needs no join
    host             text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
    attempts         integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    next_attempt_at  timestamptz NOT NULL,
    claimed_by       text,
    claimed_until    timestamptz,
    sent_at          timestamptz,
    error            text,
    -- why a suppressed one was not sent: 'silence <id>' or 'rate_limit'
    suppressed_by    text,
    -- the message that carried it, or (rate-limited ones) that summarised it
    message_id       bigint
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_group ON notifications (channel, recipient, host) WHERE status = 'pending';
CREATE INDEX notifications_unsummarised ON notifications (channel, recipient, created_at)
    WHERE status = 'suppressed' AND suppressed_by = 'rate_limit' AND message_id IS NULL;
CREATE INDEX notifications_alert ON notifications (alert_id);

-- A silence matches every given field (rule, instance, host); NULL matches anything.
CREATE TABLE silences (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule        text,
    instance    text,
    host        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    comment     text        NOT NULL,
    CHECK (rule IS NOT NULL OR instance IS NOT NULL OR host IS NOT NULL)
);
CREATE INDEX silences_expires ON silences (expires_at);

-- The operators' interface (columns may be added, never renamed or removed).
CREATE VIEW redwatch_alerts AS
SELECT id, rule, severity, instance, host, state, started_at, resolved_at, summary, advice,
       evidence, last_seen_at
  FROM alerts;

CREATE VIEW redwatch_notifications AS
SELECT alert_id, channel, recipient, status, attempts, sent_at, error,
       id, kind, created_at, next_attempt_at, claimed_by, claimed_until, host, suppressed_by, message_id
  FROM notifications;

CREATE VIEW redwatch_silences AS
SELECT id, rule, instance, host, created_at, expires_at, comment
  FROM silences;
