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
                                service, configuration_item, customer, opened_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
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
        updated_at = excluded.updated_at
     RETURNING seq"
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

    /// Writes the row and returns its `seq`.
    pub fn insert(&mut self, state: &Incident, doc: &str) -> Result<i64, ProjectionError> {
        let insert = &mut self.insert;
        with_columns(state, |columns| insert.execute(columns))?;
        let seq = self.conn.last_insert_rowid();
        self.insert_doc.execute((seq, doc))?;
        Ok(seq)
    }
}

/// Writes a row whether or not the table holds one; an existing row keeps its `seq`.
pub(crate) fn upsert(
    conn: &Connection,
    state: &Incident,
    doc: &str,
) -> Result<i64, ProjectionError> {
    let mut stmt = conn.prepare_cached(UPSERT)?;
    let seq: i64 = with_columns(state, |columns| stmt.query_row(columns, |r| r.get(0)))?;
    conn.prepare_cached(UPSERT_DOC)?.execute((seq, doc))?;
    Ok(seq)
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
    f: impl FnOnce(&[&dyn ToSql]) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let mut buffer = Uuid::encode_buffer();
    let id = &*s.id.0.hyphenated().encode_lower(&mut buffer);
    let version = i64::try_from(s.version).unwrap_or(i64::MAX);
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
