//! The notifications of every incident, one row each, derived from the incident's state (so a
//! rebuild writes the same rows), and the outbox views over them.

use crate::time::micros;
use crate::{ProjectionError, ReadModelDb};
use rusqlite::{Connection, OptionalExtension};
use servicedesk_domain::incident::{Incident, IncidentId, NotificationStatus};

/// Writes the incident's notification rows; `replace` first drops those it had.
pub(crate) fn write(
    conn: &Connection,
    state: &Incident,
    replace: bool,
) -> Result<(), ProjectionError> {
    let id = state.id.to_string();
    if replace {
        conn.prepare_cached("DELETE FROM notifications WHERE incident = ?1")?
            .execute([&id])?;
    }
    if state.notifications.is_empty() {
        return Ok(());
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO notifications (id, incident, status, queued_at, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for n in &state.notifications {
        let mut doc =
            serde_json::to_value(n).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
        if let Some(object) = doc.as_object_mut() {
            object.insert("incident".to_owned(), serde_json::Value::String(id.clone()));
        }
        insert.execute((
            n.notification.id.to_string(),
            &id,
            n.status.as_str(),
            micros(n.queued_at),
            doc.to_string(),
        ))?;
    }
    Ok(())
}

impl ReadModelDb {
    /// Notifications (JSON documents), newest first, of one status or all; at most `limit`.
    pub fn notifications(
        &self,
        status: Option<NotificationStatus>,
        limit: usize,
    ) -> Result<Vec<String>, ProjectionError> {
        self.read(|conn| {
            let (sql, status) = match status {
                Some(s) => (
                    "SELECT doc FROM notifications WHERE status = ?1 ORDER BY queued_at DESC, id LIMIT ?2",
                    s.as_str(),
                ),
                None => (
                    "SELECT doc FROM notifications WHERE ?1 = ?1 ORDER BY queued_at DESC, id LIMIT ?2",
                    "",
                ),
            };
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map((status, limit as i64), |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The incident a notification belongs to.
    pub fn notification_incident(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<IncidentId>, ProjectionError> {
        self.read(|conn| {
            let found: Option<String> = conn
                .prepare_cached("SELECT incident FROM notifications WHERE id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?;
            found
                .map(|text| {
                    uuid::Uuid::parse_str(&text)
                        .map(IncidentId)
                        .map_err(|e| ProjectionError::Corrupt(e.to_string()))
                })
                .transpose()
        })
    }
}
