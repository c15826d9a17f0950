//! The integrations read model: one row per registered monitoring source, found by id or by
//! the SHA-256 of its key.

use crate::ProjectionError;
use rusqlite::{params, Connection, OptionalExtension};
use servicedesk_domain::integration::{evolve, Integration, IntegrationEvent, IntegrationId};
use servicedesk_store::RecordedEvent;

/// Whether a log event belongs to this projection (so a rebuild can hand it over).
pub(crate) fn concerns(recorded: &RecordedEvent) -> bool {
    recorded.stream.starts_with(IntegrationId::STREAM_PREFIX)
}

/// Applies the integration events of a batch inside the caller's transaction. Integrations
/// change rarely: each event reads and writes its row.
pub(crate) fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
    for recorded in events {
        let Some(id) = IntegrationId::from_stream(&recorded.stream) else {
            continue;
        };
        let event = match IntegrationEvent::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        ) {
            Ok(event) => event,
            Err(unknown) => {
                tracing::warn!(position = recorded.position, %unknown, "skipping unreadable integration event");
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
            store(conn, &after)?;
        }
    }
    Ok(())
}

fn load(conn: &Connection, id: IntegrationId) -> Result<Option<Integration>, ProjectionError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM integrations WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d)
            .map_err(|e| ProjectionError::Corrupt(format!("integration {id}: {e}")))
    })
    .transpose()
}

fn store(conn: &Connection, i: &Integration) -> Result<(), ProjectionError> {
    let doc = serde_json::to_string(i).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
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

impl crate::ReadModelDb {
    pub fn integration(&self, id: IntegrationId) -> Result<Option<Integration>, ProjectionError> {
        self.read(|conn| load(conn, id))
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
