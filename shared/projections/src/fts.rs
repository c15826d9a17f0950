//! Rows of the full-text index (`incidents_fts`, rowid = `incidents.seq`).
//!
//! FTS5 flushes its pending terms to a new on-disk segment whenever a statement that needs a
//! statement journal starts (an upsert does), and a segment per incident then costs merges.
//! So writers collect a batch's text changes and write them after all of its rows: one flush
//! per transaction.

use crate::ProjectionError;
use rusqlite::Connection;

/// New text for one incident's index row.
pub(crate) struct TextChange<'a> {
    pub seq: i64,
    /// The row was indexed before and its old terms must go.
    pub replaces: bool,
    pub title: &'a str,
    pub description: &'a str,
}

pub(crate) fn write(conn: &Connection, changes: &[TextChange<'_>]) -> Result<(), ProjectionError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO incidents_fts (rowid, title, description) VALUES (?1, ?2, ?3)",
    )?;
    for change in changes {
        if change.replaces {
            conn.prepare_cached("DELETE FROM incidents_fts WHERE rowid = ?1")?
                .execute([change.seq])?;
        }
        insert.execute((change.seq, change.title, change.description))?;
    }
    Ok(())
}
