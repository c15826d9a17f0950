-- The event log of the embedded SQLite backend (events.db in the data dir).
-- position is the rowid: one writer thread appends, so rowid order is commit order.
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY,
    stream         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    event_id       BLOB    NOT NULL,          -- 16 bytes, UUID v7
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    occurred_at    INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
    recorded_at    INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
    actor          TEXT    NOT NULL,          -- "<kind>:<id>", e.g. "user:alice"
    correlation_id BLOB    NOT NULL,
    causation_id   BLOB,
    data           TEXT    NOT NULL,          -- JSON
    UNIQUE (stream, version)
);
