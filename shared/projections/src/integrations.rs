//! The integrations read model: one row per registered monitoring source, found by id or by
//! the SHA-256 of its key.

use crate::row_per_aggregate::{load, RowPerAggregate};
use crate::ProjectionError;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use servicedesk_domain::integration::{evolve, Integration, IntegrationEvent, IntegrationId};

pub(crate) struct Integrations;

impl RowPerAggregate for Integrations {
    type Event = IntegrationEvent;
    type State = Integration;
    const TABLE: &'static str = "integrations";
    const STREAM_PREFIX: &'static str = IntegrationId::STREAM_PREFIX;

    fn version(state: &Integration) -> u64 {
        state.version
    }

    fn evolve(
        state: Option<Integration>,
        event: &IntegrationEvent,
        at: DateTime<Utc>,
    ) -> Option<Integration> {
        evolve(state, event, at)
    }

    fn store(conn: &Connection, i: &Integration, doc: &str) -> Result<(), ProjectionError> {
        conn.prepare_cached(
            "INSERT INTO integrations (id, version, name, kind, key_sha256, revoked, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, name = excluded.name,
                kind = excluded.kind, key_sha256 = excluded.key_sha256, revoked = excluded.revoked,
                doc = excluded.doc",
        )?
        .execute(params![
            i.id.to_string(),
            i.version as i64,
            i.name,
            i.kind.as_str(),
            i.key_sha256,
            i.revoked,
            doc
        ])?;
        Ok(())
    }
}

impl crate::ReadModelDb {
    pub fn integration(&self, id: IntegrationId) -> Result<Option<Integration>, ProjectionError> {
        self.read(|conn| load(conn, Integrations::TABLE, &id.to_string()))
    }

    /// The live (not revoked) integration whose key hashes to `key_sha256`.
    pub fn integration_by_key(
        &self,
        key_sha256: &str,
    ) -> Result<Option<Integration>, ProjectionError> {
        self.read(|conn| {
            let doc: Option<String> = conn
                .prepare_cached(
                    "SELECT doc FROM integrations WHERE key_sha256 = ?1 AND revoked = 0",
                )?
                .query_row([key_sha256], |r| r.get(0))
                .optional()?;
            doc.map(|d| {
                serde_json::from_str(&d).map_err(|e| ProjectionError::Corrupt(e.to_string()))
            })
            .transpose()
        })
    }

    pub fn integrations(&self) -> Result<Vec<Integration>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT doc FROM integrations ORDER BY name, id")?;
            let docs = stmt.query_map([], |r| r.get::<_, String>(0))?;
            docs.map(|d| {
                let d = d?;
                serde_json::from_str(&d).map_err(|e| ProjectionError::Corrupt(e.to_string()))
            })
            .collect()
        })
    }
}
