-- Read models (readmodel.db). Built only from events: drop the file and it is rebuilt from the log.
-- Versioned by `PRAGMA user_version` (READ_MODEL_SCHEMA_VERSION): a file of another version is
-- rebuilt at start-up, never migrated, so this file describes the current shape only.
CREATE TABLE IF NOT EXISTS checkpoints (
    projection TEXT PRIMARY KEY,
    position   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS incidents (
    seq                INTEGER PRIMARY KEY,   -- arrival order; keyset tiebreaker and FTS rowid
    id                 TEXT    NOT NULL UNIQUE,
    version            INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    priority           INTEGER NOT NULL,      -- 1 (P1) .. 5 (P5)
    title              TEXT    NOT NULL,
    assignee           TEXT,
    assignment_group   TEXT,
    service            TEXT,
    configuration_item TEXT,
    customer           TEXT,
    opened_at          INTEGER NOT NULL,      -- microseconds since the Unix epoch, UTC
    updated_at         INTEGER NOT NULL,
    -- The full-text index's rowid: opened_at * 1024 + the row's place among the rows opened
    -- in the same microsecond, so rowid order is (opened_at, seq) order and a search newest
    -- first walks the index backwards and stops at the page's end. -seq when that does not
    -- fit (more than 1024 in one microsecond, or opened before 1970 or after 2255); searches
    -- then take the general plan. Its unique index exists during a rebuild's load too.
    text_key           INTEGER UNIQUE,
    -- SLA timers, derived from the incident's own events (see IncidentSla::summary); instants
    -- in microseconds. sla_due_at is 9223372036854775807 with no running timer, so "what
    -- breaches next" sorts them last.
    sla                INTEGER NOT NULL DEFAULT 0,  -- 1: runs on an SLA
    sla_next_at        INTEGER,                     -- the next threshold the scheduler fires
    sla_due_at         INTEGER NOT NULL DEFAULT 9223372036854775807,
    sla_warn_at        INTEGER,
    sla_breached       INTEGER NOT NULL DEFAULT 0,
    sla_paused         INTEGER NOT NULL DEFAULT 0,
    resolved_at        INTEGER,                     -- the last resolution, if resolved now
    closed_at          INTEGER,                     -- closed or cancelled
    notify_next_at     INTEGER                      -- the next try of a pending notification
);

-- How each respond and resolve target of an incident under an SLA came out (or stands), for
-- SLA reports: derived from the incident's stopwatches (IncidentSla::outcomes). A target is
-- settled when met in time (at met_at) or missed (at due_at, the instant the business time
-- reached it); settled_at is 9223372036854775807 for one not settled (still running, or
-- paused short of its target). The rows are kept in settled_at order, so a report over a
-- period reads one contiguous range.
CREATE TABLE IF NOT EXISTS sla_targets (
    settled_at     INTEGER NOT NULL,
    incident       TEXT    NOT NULL,
    timer          TEXT    NOT NULL,   -- respond | resolve
    customer       TEXT,
    service        TEXT,
    priority       INTEGER NOT NULL,
    target_seconds INTEGER NOT NULL,
    opened_at      INTEGER NOT NULL,
    due_at         INTEGER,
    met_at         INTEGER,
    met_after      INTEGER,            -- business seconds run when met
    on_time        INTEGER NOT NULL,
    calendar       TEXT,               -- sla_calendars.key; NULL: around the clock
    runs           TEXT    NOT NULL,   -- "from:until,from:" in microseconds (simulations)
    PRIMARY KEY (settled_at, incident, timer)
) WITHOUT ROWID;

-- Every notification of every incident, as the incident's state has it (for the outbox views).
CREATE TABLE IF NOT EXISTS notifications (
    id        TEXT    PRIMARY KEY,
    incident  TEXT    NOT NULL,
    status    TEXT    NOT NULL,            -- queued | sent | failed | dead
    queued_at INTEGER NOT NULL,
    doc       TEXT    NOT NULL             -- NotificationState with "incident"
) WITHOUT ROWID;

-- The calendars tickets ran on, as snapshotted on them, once each (key: SHA-256 of the JSON).
CREATE TABLE IF NOT EXISTS sla_calendars (
    key  TEXT PRIMARY KEY,
    spec TEXT NOT NULL
) WITHOUT ROWID;

-- The incident as the API returns it (JSON), apart from the columns that are filtered and
-- sorted on: the documents are most of the bytes, and every index a rebuild creates scans the
-- table it indexes.
CREATE TABLE IF NOT EXISTS incident_docs (
    seq INTEGER PRIMARY KEY,                  -- incidents.seq
    doc TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS incident_links (
    source TEXT NOT NULL,
    kind   TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (source, kind, target)
) WITHOUT ROWID;

-- Free-text search over title and description; rowid = incidents.text_key.
CREATE VIRTUAL TABLE IF NOT EXISTS incidents_fts USING fts5(
    title, description, content = '', contentless_delete = 1, tokenize = 'unicode61'
);

-- Every term of incidents_fts (as its tokenizer wrote it) and in how many incidents it occurs.
-- A search expands each word's prefix into these terms: FTS5 reads a prefix query's every
-- match before returning the first, but walks exact terms (and ORs of them) lazily.
CREATE TABLE IF NOT EXISTS incident_terms (
    term TEXT    PRIMARY KEY,
    docs INTEGER NOT NULL
) WITHOUT ROWID;

-- Registered monitoring integrations; webhooks find theirs by the SHA-256 of the key.
CREATE TABLE IF NOT EXISTS integrations (
    id         TEXT    PRIMARY KEY,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    key_sha256 TEXT    NOT NULL,
    revoked    INTEGER NOT NULL,
    doc        TEXT    NOT NULL
) WITHOUT ROWID;

-- Business calendars, as defined (the spec as JSON in doc).
CREATE TABLE IF NOT EXISTS calendars (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

-- SLAs and contracts, as defined (the spec as JSON in doc).
CREATE TABLE IF NOT EXISTS slas (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS contracts (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

-- People (id: UUID v5 of the token sub), groups (of the slug) and on-call schedules.
CREATE TABLE IF NOT EXISTS people (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS groups (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS schedules (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

-- Customers and business services; id is the UUID v5 of the slug (CustomerId::of_slug).
CREATE TABLE IF NOT EXISTS customers (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS services (
    id      TEXT    PRIMARY KEY,
    version INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    doc     TEXT    NOT NULL
) WITHOUT ROWID;

-- Alarms: one row per (integration, fingerprint), as the alarm's own stream left it; the
-- document (JSON) in alarm_docs, repeats from the journal in alarm_repeats.
CREATE TABLE IF NOT EXISTS alarms (
    id                 TEXT    PRIMARY KEY,
    integration        TEXT    NOT NULL,
    fingerprint        TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    severity           TEXT    NOT NULL,
    host               TEXT,
    configuration_item TEXT,
    alarm_name         TEXT,
    incident           TEXT,
    flapping           INTEGER NOT NULL,
    occurrences        INTEGER NOT NULL,
    last_seen          INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
    changed_at         INTEGER NOT NULL,   -- its stream's last event (repeats do not count)
    version            INTEGER NOT NULL
) WITHOUT ROWID;

-- Repeats from the repeat journal, summed per alarm by their own projection (alarm-repeats),
-- which commits about once a second; an alarm's occurrences are alarms.occurrences + count.
CREATE TABLE IF NOT EXISTS alarm_repeats (
    id        TEXT    PRIMARY KEY,          -- alarms.id
    count     INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS alarm_docs (
    id  TEXT PRIMARY KEY,                  -- alarms.id
    doc TEXT NOT NULL
) WITHOUT ROWID;

-- Problems (recurring incidents' unknown causes).
CREATE TABLE IF NOT EXISTS problems (
    id         TEXT    PRIMARY KEY,
    status     TEXT    NOT NULL,
    opened_at  INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    doc        TEXT    NOT NULL
) WITHOUT ROWID;
