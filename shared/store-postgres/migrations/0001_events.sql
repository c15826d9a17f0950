-- The event log of the PostgreSQL backend.
--
-- position is assigned by the appender while it holds the row lock on log_head, so positions
-- are handed out and committed in one order: a reader that sees position n sees every position
-- below it, and a follower reading `position > checkpoint` never skips a late commit.
CREATE TABLE IF NOT EXISTS events (
    position       BIGINT      PRIMARY KEY,
    stream         TEXT        NOT NULL,
    version        BIGINT      NOT NULL,
    event_id       UUID        NOT NULL,
    event_type     TEXT        NOT NULL,
    schema_version BIGINT      NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    actor          TEXT        NOT NULL,   -- "<kind>:<id>", e.g. "user:alice"
    correlation_id UUID        NOT NULL,
    causation_id   UUID,
    data           TEXT        NOT NULL,   -- JSON as sent: TEXT keeps it byte for byte
    UNIQUE (stream, version)
);

-- One row: the last position handed out. Every append transaction locks it first.
CREATE TABLE IF NOT EXISTS log_head (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    position BIGINT  NOT NULL
);
INSERT INTO log_head (only_row, position) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;
