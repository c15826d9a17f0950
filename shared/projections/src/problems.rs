//! The problems read model: one row per problem, newest first.

use crate::time::micros;
use crate::ProjectionError;
use rusqlite::{params, Connection, OptionalExtension};
use servicedesk_domain::problem::{evolve, Problem, ProblemEvent, ProblemId};
use servicedesk_store::RecordedEvent;

pub(crate) fn concerns(recorded: &RecordedEvent) -> bool {
    recorded.stream.starts_with(ProblemId::STREAM_PREFIX)
}

/// Problems change rarely: each event reads and writes its row.
pub(crate) fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
    for recorded in events {
        let Some(id) = ProblemId::from_stream(&recorded.stream) else {
            continue;
        };
        let event = match ProblemEvent::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        ) {
            Ok(event) => event,
            Err(unknown) => {
                tracing::warn!(position = recorded.position, %unknown, "skipping unreadable problem event");
                continue;
            }
        };
        let state = load(conn, id)?;
        if state
            .as_ref()
            .is_some_and(|s| recorded.version <= s.version)
        {
            continue;
        }
        if let Some(after) = evolve(state, &event, recorded.occurred_at) {
            let doc = serde_json::to_string(&after)
                .map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
            conn.prepare_cached(
                "INSERT INTO problems (id, status, opened_at, version, doc) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version, doc = excluded.doc",
            )?
            .execute(params![
                after.id.to_string(),
                after.status.as_str(),
                micros(after.opened_at),
                after.version as i64,
                doc
            ])?;
        }
    }
    Ok(())
}

fn load(conn: &Connection, id: ProblemId) -> Result<Option<Problem>, ProjectionError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM problems WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d).map_err(|e| ProjectionError::Corrupt(format!("problem {id}: {e}")))
    })
    .transpose()
}

impl crate::ReadModelDb {
    pub fn problem_doc(&self, id: ProblemId) -> Result<Option<String>, ProjectionError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT doc FROM problems WHERE id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?)
        })
    }

    /// Problem documents, newest first, optionally of one status.
    pub fn problem_docs(
        &self,
        status: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT doc FROM problems WHERE (?1 IS NULL OR status = ?1) ORDER BY opened_at DESC, id DESC LIMIT ?2",
            )?;
            let docs = stmt.query_map(params![status, limit as i64], |r| r.get::<_, String>(0))?;
            Ok(docs.collect::<Result<Vec<_>, _>>()?)
        })
    }
}
