//! One incident's row in `incidents` (its document in `incident_docs`) and its rows in
//! `incident_links`. The columns are derived
//! from the state here only, so a row written live and one written by a rebuild are equal.

use crate::time::micros;
use crate::ProjectionError;
use rusqlite::{CachedStatement, Connection, ToSql};
use servicedesk_domain::incident::{Incident, Link, LinkKind};
use uuid::Uuid;

macro_rules! insert_sql {
    () => {
        "INSERT INTO incidents (id, version, status, priority, title, assignee, assignment_group,
                                service, configuration_item, customer, opened_at, updated_at,
                                text_key, sla, sla_next_at, sla_due_at, sla_warn_at,
                                sla_breached, sla_paused, resolved_at, closed_at, notify_next_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22)"
    };
}

/// `seq` is left to SQLite (largest so far + 1), so rows are numbered in the order written.
const INSERT: &str = insert_sql!();

const UPSERT: &str = concat!(
    insert_sql!(),
    " ON CONFLICT (id) DO UPDATE SET
        version = excluded.version, status = excluded.status, priority = excluded.priority,
        title = excluded.title, assignee = excluded.assignee,
        assignment_group = excluded.assignment_group, service = excluded.service,
        configuration_item = excluded.configuration_item, customer = excluded.customer,
        updated_at = excluded.updated_at, sla = excluded.sla,
        sla_next_at = excluded.sla_next_at, sla_due_at = excluded.sla_due_at,
        sla_warn_at = excluded.sla_warn_at, sla_breached = excluded.sla_breached,
        sla_paused = excluded.sla_paused, resolved_at = excluded.resolved_at,
        closed_at = excluded.closed_at, notify_next_at = excluded.notify_next_at
     RETURNING seq, text_key"
);

const INSERT_DOC: &str = "INSERT INTO incident_docs (seq, doc) VALUES (?1, ?2)";
const UPSERT_DOC: &str = "INSERT INTO incident_docs (seq, doc) VALUES (?1, ?2)
     ON CONFLICT (seq) DO UPDATE SET doc = excluded.doc";

/// The incident as the API returns it.
pub(crate) fn doc(state: &Incident) -> Result<String, ProjectionError> {
    // Sized for a typical document, so the text is not regrown several times.
    let mut text = Vec::with_capacity(1024);
    serde_json::to_writer(&mut text, state).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    String::from_utf8(text).map_err(|e| ProjectionError::Corrupt(e.to_string()))
}

/// Writes rows for incidents the table does not hold yet. Keeps its prepared statement for the
/// batch rather than looking it up in rusqlite's cache per row (which hashes the SQL text).
pub(crate) struct Inserter<'c> {
    conn: &'c Connection,
    insert: CachedStatement<'c>,
    insert_doc: CachedStatement<'c>,
}

impl<'c> Inserter<'c> {
    pub fn new(conn: &'c Connection) -> Result<Self, ProjectionError> {
        Ok(Self {
            conn,
            insert: conn.prepare_cached(INSERT)?,
            insert_doc: conn.prepare_cached(INSERT_DOC)?,
        })
    }

    /// Writes the row and returns its `seq` and `text_key`.
    pub fn insert(&mut self, state: &Incident, doc: &str) -> Result<(i64, i64), ProjectionError> {
        let key = next_text_key(self.conn, micros(state.opened_at))?;
        let insert = &mut self.insert;
        with_columns(state, key, |columns| insert.execute(columns))?;
        let seq = self.conn.last_insert_rowid();
        self.insert_doc.execute((seq, doc))?;
        Ok((seq, unordered_text_key(self.conn, seq, key)?))
    }
}

/// Writes a row whether or not the table holds one (`is_new`: it does not); an existing row
/// keeps its `seq` and `text_key`. Returns both.
pub(crate) fn upsert(
    conn: &Connection,
    state: &Incident,
    doc: &str,
    is_new: bool,
) -> Result<(i64, i64), ProjectionError> {
    let key = if is_new {
        next_text_key(conn, micros(state.opened_at))?
    } else {
        None
    };
    let mut stmt = conn.prepare_cached(UPSERT)?;
    let (seq, stored): (i64, Option<i64>) = with_columns(state, key, |columns| {
        stmt.query_row(columns, |r| Ok((r.get(0)?, r.get(1)?)))
    })?;
    conn.prepare_cached(UPSERT_DOC)?.execute((seq, doc))?;
    let key = match stored {
        Some(key) => key,
        None => unordered_text_key(conn, seq, None)?,
    };
    Ok((seq, key))
}

/// Slots per microsecond in `text_key`.
pub(crate) const TEXT_KEY_SLOTS: i64 = 1024;

/// The `text_key` of a new row opened at `opened_at` (microseconds): the first free slot of
/// that microsecond after the rows written before it, so key order is `(opened_at, seq)` order.
/// None when it does not fit.
fn next_text_key(conn: &Connection, opened_at: i64) -> Result<Option<i64>, ProjectionError> {
    let Some(first) = opened_at
        .checked_mul(TEXT_KEY_SLOTS)
        .filter(|_| opened_at >= 0)
    else {
        return Ok(None);
    };
    let last = first + (TEXT_KEY_SLOTS - 1);
    let taken: Option<i64> = conn
        .prepare_cached("SELECT max(text_key) FROM incidents WHERE text_key BETWEEN ?1 AND ?2")?
        .query_row((first, last), |r| r.get(0))?;
    Ok(match taken {
        None => Some(first),
        Some(key) if key < last => Some(key + 1),
        Some(_) => None,
    })
}

/// A row written without a key (`key` None) gets `-seq`: unique, and marks the table as one
/// whose text keys are not all in list order.
fn unordered_text_key(
    conn: &Connection,
    seq: i64,
    key: Option<i64>,
) -> Result<i64, ProjectionError> {
    if let Some(key) = key {
        return Ok(key);
    }
    conn.prepare_cached("UPDATE incidents SET text_key = -seq WHERE seq = ?1")?
        .execute([seq])?;
    Ok(-seq)
}

/// Writes the incident's links; `replace` first drops those it had.
pub(crate) fn write_links(
    conn: &Connection,
    state: &Incident,
    replace: bool,
) -> Result<(), ProjectionError> {
    if !replace && state.links.is_empty() {
        return Ok(());
    }
    let mut buffer = Uuid::encode_buffer();
    let source = &*state.id.0.hyphenated().encode_lower(&mut buffer);
    if replace {
        conn.prepare_cached("DELETE FROM incident_links WHERE source = ?1")?
            .execute([source])?;
    }
    insert_links(conn, source, &state.links)
}

fn insert_links(conn: &Connection, source: &str, links: &[Link]) -> Result<(), ProjectionError> {
    if links.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO incident_links (source, kind, target) VALUES (?1, ?2, ?3)",
    )?;
    for link in links {
        insert.execute((source, link_kind(link.kind), link.target.to_string()))?;
    }
    Ok(())
}

/// The kind as the API spells it (its serde name).
fn link_kind(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Parent => "parent",
        LinkKind::Child => "child",
        LinkKind::DuplicateOf => "duplicate_of",
        LinkKind::Related => "related",
    }
}

/// Runs `f` with the row's column values, in `insert_sql!` order.
fn with_columns<T>(
    s: &Incident,
    text_key: Option<i64>,
    f: impl FnOnce(&[&dyn ToSql]) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let mut buffer = Uuid::encode_buffer();
    let id = &*s.id.0.hyphenated().encode_lower(&mut buffer);
    let version = i64::try_from(s.version).unwrap_or(i64::MAX);
    let sla = s
        .sla
        .as_ref()
        .map(|sla| sla.summary(s.priority, s.updated_at))
        .unwrap_or_default();
    let next_at = sla.next_threshold_at.map(micros);
    let due_at = sla.due_at.map_or(i64::MAX, micros);
    let warn_at = sla.warn_at.map(micros);
    let notify_next_at = s
        .notifications
        .iter()
        .filter(|n| n.status.is_pending())
        .filter_map(|n| n.next_attempt_at)
        .min()
        .map(micros);
    f(&[
        &id,
        &version,
        &s.status.as_str(),
        &s.priority.rank(),
        &s.title,
        &s.assignee,
        &s.assignment_group,
        &s.service,
        &s.configuration_item,
        &s.customer,
        &micros(s.opened_at),
        &micros(s.updated_at),
        &text_key,
        &s.sla.is_some(),
        &next_at,
        &due_at,
        &warn_at,
        &sla.breached,
        &sla.paused,
        &s.resolved_at.map(micros),
        &s.closed_at.map(micros),
        &notify_next_at,
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::link_kind;
    use servicedesk_domain::incident::LinkKind;

    #[test]
    fn link_kinds_are_spelled_as_serde_spells_them() {
        for kind in [
            LinkKind::Parent,
            LinkKind::Child,
            LinkKind::DuplicateOf,
            LinkKind::Related,
        ] {
            assert_eq!(
                serde_json::to_value(kind).unwrap().as_str(),
                Some(link_kind(kind))
            );
        }
    }
}
