//! Rows of the full-text index (`incidents_fts`, rowid = `-incidents.text_key`) and of its term
//! list (`incident_terms`).
//!
//! FTS5 flushes its pending terms to a new on-disk segment whenever a statement that needs a
//! statement journal starts (an upsert does), and a segment per incident then costs merges.
//! So writers collect a batch's text changes and write them after all of its rows: one flush
//! per transaction. It also flushes when a rowid is lower than the one before, so the changes
//! are written in key order.
//!
//! The term list counts, per term, the incidents whose current title or description holds it.
//! The terms come from FTS5's own tokenizer: the batch's old and new texts go through a
//! scratch FTS5 table in the connection's temp schema, whose vocabulary gives each term's
//! incidents before and after. Written the same way live and in a rebuild, so both leave the
//! same counts.

use crate::ProjectionError;
use rusqlite::Connection;

/// New text for one incident's index row.
pub(crate) struct TextChange<'a> {
    /// The incident's `incidents.text_key` (the index rowid is its negation).
    pub key: i64,
    /// The title and description indexed before, whose terms must go.
    pub old: Option<(&'a str, &'a str)>,
    pub title: &'a str,
    pub description: &'a str,
}

pub(crate) fn write(
    conn: &Connection,
    changes: &mut [TextChange<'_>],
) -> Result<(), ProjectionError> {
    write_text(conn, changes)?;
    count_terms(conn, changes)
}

/// Writes the index rows only; the caller recounts the term list afterwards
/// ([`recount_terms`]), as a rebuild does once at its end.
pub(crate) fn write_text(
    conn: &Connection,
    changes: &mut [TextChange<'_>],
) -> Result<(), ProjectionError> {
    if changes.is_empty() {
        return Ok(());
    }
    // The index's rowid is the key negated: newest first, the order nearly every search wants,
    // is then FTS5's forward order; walking it backwards loads each doclist page to reverse it
    // (measured: 10,400 against 16,400 searches a second on the same 22,000 incidents).
    changes.sort_by_key(|c| -c.key);
    let mut insert = conn.prepare_cached(
        "INSERT INTO incidents_fts (rowid, title, description) VALUES (?1, ?2, ?3)",
    )?;
    for change in changes.iter() {
        if change.old.is_some() {
            conn.prepare_cached("DELETE FROM incidents_fts WHERE rowid = ?1")?
                .execute([-change.key])?;
        }
        insert.execute((-change.key, change.title, change.description))?;
    }
    Ok(())
}

/// Replaces the term list with the index's own vocabulary: each term and the number of
/// incidents (index rows) that hold it, which is what `count_terms` keeps up to date.
pub(crate) fn recount_terms(conn: &Connection) -> Result<(), ProjectionError> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE temp.incident_terms_vocabulary
             USING fts5vocab(main, incidents_fts, row);
         DELETE FROM incident_terms;
         INSERT INTO incident_terms (term, docs)
             SELECT term, doc FROM temp.incident_terms_vocabulary;
         DROP TABLE temp.incident_terms_vocabulary;",
    )?;
    Ok(())
}

fn count_terms(conn: &Connection, changes: &[TextChange<'_>]) -> Result<(), ProjectionError> {
    if changes.is_empty() {
        return Ok(());
    }
    // Same tokenizer as incidents_fts; one row per incident, so `doc` counts incidents.
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.incident_terms_scratch
             USING fts5(old, new, content = '', tokenize = 'unicode61');
         CREATE VIRTUAL TABLE IF NOT EXISTS temp.incident_terms_counted
             USING fts5vocab(temp, incident_terms_scratch, col);",
    )?;
    let mut scratch =
        conn.prepare_cached("INSERT INTO temp.incident_terms_scratch (old, new) VALUES (?1, ?2)")?;
    for change in changes {
        let old = change
            .old
            .map(|(title, description)| format!("{title}\n{description}"));
        let new = format!("{}\n{}", change.title, change.description);
        scratch.execute((old, new))?;
    }
    conn.prepare_cached(
        "INSERT INTO incident_terms (term, docs)
         SELECT term, delta FROM (
             SELECT term, sum(CASE col WHEN 'new' THEN doc ELSE -doc END) AS delta
             FROM temp.incident_terms_counted GROUP BY term
         ) WHERE delta <> 0
         ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs",
    )?
    .execute([])?;
    conn.prepare_cached(
        "DELETE FROM incident_terms WHERE docs <= 0 AND term IN
             (SELECT term FROM temp.incident_terms_counted WHERE col = 'old')",
    )?
    .execute([])?;
    conn.prepare_cached(
        "INSERT INTO temp.incident_terms_scratch (incident_terms_scratch) VALUES ('delete-all')",
    )?
    .execute([])?;
    Ok(())
}
