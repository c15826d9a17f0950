//! The problems read model: one row per problem, newest first.

use crate::row_per_aggregate::RowPerAggregate;
use crate::time::micros;
use crate::ProjectionError;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use servicedesk_domain::problem::{evolve, Problem, ProblemEvent, ProblemId};

pub(crate) struct Problems;

impl RowPerAggregate for Problems {
    type Event = ProblemEvent;
    type State = Problem;
    const TABLE: &'static str = "problems";
    const STREAM_PREFIX: &'static str = ProblemId::STREAM_PREFIX;

    fn version(state: &Problem) -> u64 {
        state.version
    }

    fn evolve(state: Option<Problem>, event: &ProblemEvent, at: DateTime<Utc>) -> Option<Problem> {
        evolve(state, event, at)
    }

    fn store(conn: &Connection, p: &Problem, doc: &str) -> Result<(), ProjectionError> {
        conn.prepare_cached(
            "INSERT INTO problems (id, status, opened_at, version, doc) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version, doc = excluded.doc",
        )?
        .execute(params![p.id.to_string(), p.status.as_str(), micros(p.opened_at), p.version as i64, doc])?;
        Ok(())
    }
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
