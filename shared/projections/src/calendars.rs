//! The calendars read model: one row per calendar, its document as the API shows it.

use crate::row_per_aggregate::{load, RowPerAggregate};
use crate::ProjectionError;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use servicedesk_domain::calendar::{evolve, CalendarDoc, CalendarEvent, CalendarId};

pub(crate) struct Calendars;

impl RowPerAggregate for Calendars {
    type Event = CalendarEvent;
    type State = CalendarDoc;
    const TABLE: &'static str = "calendars";
    const STREAM_PREFIX: &'static str = CalendarId::STREAM_PREFIX;

    fn version(state: &CalendarDoc) -> u64 {
        state.version
    }

    fn evolve(
        state: Option<CalendarDoc>,
        event: &CalendarEvent,
        at: DateTime<Utc>,
    ) -> Option<CalendarDoc> {
        evolve(state, event, at)
    }

    fn store(conn: &Connection, c: &CalendarDoc, doc: &str) -> Result<(), ProjectionError> {
        conn.prepare_cached(
            "INSERT INTO calendars (id, version, name, doc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, name = excluded.name,
                doc = excluded.doc",
        )?
        .execute(params![
            c.id.to_string(),
            c.version as i64,
            c.spec.name,
            doc
        ])?;
        Ok(())
    }
}

impl crate::ReadModelDb {
    pub fn calendar(&self, id: CalendarId) -> Result<Option<CalendarDoc>, ProjectionError> {
        self.read(|conn| load(conn, Calendars::TABLE, &id.to_string()))
    }

    pub fn calendars(&self) -> Result<Vec<CalendarDoc>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT doc FROM calendars ORDER BY name, id")?;
            let docs = stmt.query_map([], |r| r.get::<_, String>(0))?;
            docs.map(|d| {
                serde_json::from_str(&d?).map_err(|e| ProjectionError::Corrupt(e.to_string()))
            })
            .collect()
        })
    }
}
