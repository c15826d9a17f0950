//! The alarms read model: active and recent alarms with their occurrence counts and incidents.

use crate::time::micros;
use crate::ProjectionError;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use servicedesk_domain::alarm::{evolve, Alarm, AlarmEvent, AlarmId};
use servicedesk_store::RecordedEvent;
use std::collections::HashMap;

pub(crate) fn concerns(recorded: &RecordedEvent) -> bool {
    recorded.stream.starts_with(AlarmId::STREAM_PREFIX)
}

/// Applies a batch's alarm events: each alarm read once and written once per batch (under
/// load most events are repeats of a few thousand alarms).
pub(crate) fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
    let mut order = Vec::new();
    let mut states: HashMap<AlarmId, Option<Alarm>> = HashMap::new();
    for recorded in events {
        let Some(id) = AlarmId::from_stream(&recorded.stream) else {
            continue;
        };
        let event = match AlarmEvent::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        ) {
            Ok(event) => event,
            Err(unknown) => {
                tracing::warn!(position = recorded.position, %unknown, "skipping unreadable alarm event");
                continue;
            }
        };
        let state = match states.entry(id) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                order.push(id);
                slot.insert(load(conn, id)?)
            }
        };
        if state
            .as_ref()
            .is_some_and(|s| recorded.version <= s.version)
        {
            continue;
        }
        *state = evolve(state.take(), &event, recorded.occurred_at);
    }
    for id in order {
        if let Some(Some(alarm)) = states.get(&id) {
            store(conn, alarm)?;
        }
    }
    Ok(())
}

fn load(conn: &Connection, id: AlarmId) -> Result<Option<Alarm>, ProjectionError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM alarms WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d).map_err(|e| ProjectionError::Corrupt(format!("alarm {id}: {e}")))
    })
    .transpose()
}

fn store(conn: &Connection, a: &Alarm) -> Result<(), ProjectionError> {
    let doc = serde_json::to_string(a).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO alarms (id, integration, fingerprint, status, severity, host, incident, flapping,
                             occurrences, last_seen, version, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, severity = excluded.severity,
            host = excluded.host, incident = excluded.incident, flapping = excluded.flapping,
            occurrences = excluded.occurrences, last_seen = excluded.last_seen,
            version = excluded.version, doc = excluded.doc",
    )?
    .execute(params![
        a.id.to_string(),
        a.snapshot.integration.to_string(),
        a.snapshot.fingerprint,
        a.status.as_str(),
        a.snapshot.severity.as_str(),
        a.snapshot.host,
        a.incident.map(|i| i.to_string()),
        a.flapping,
        a.occurrences as i64,
        micros(a.last_seen),
        a.version as i64,
        doc
    ])?;
    Ok(())
}

/// Where a page of alarms ends: the `last_seen` (microseconds) and id of its last alarm.
pub type AlarmKey = (i64, String);

/// A page of alarm documents (JSON, as stored) and, when more remain, where it ended.
pub type AlarmPage = (Vec<String>, Option<AlarmKey>);

/// Filters of the alarm list; the newest `last_seen` first.
#[derive(Debug, Clone, Default)]
pub struct AlarmFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub host: Option<String>,
    pub fingerprint: Option<String>,
    /// Keyset: only alarms seen before (last_seen, id).
    pub before: Option<AlarmKey>,
}

impl crate::ReadModelDb {
    pub fn list_alarms(
        &self,
        filter: &AlarmFilter,
        limit: usize,
    ) -> Result<AlarmPage, ProjectionError> {
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for (column, value) in [
            ("status", &filter.status),
            ("severity", &filter.severity),
            ("host", &filter.host),
            ("fingerprint", &filter.fingerprint),
        ] {
            if let Some(v) = value {
                clauses.push(format!("{column} = ?"));
                values.push(Value::Text(v.clone()));
            }
        }
        if let Some((last_seen, id)) = &filter.before {
            clauses.push("(last_seen, id) < (?, ?)".to_owned());
            values.push(Value::Integer(*last_seen));
            values.push(Value::Text(id.clone()));
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT doc, last_seen, id FROM alarms {where_sql} ORDER BY last_seen DESC, id DESC LIMIT {}",
            limit + 1
        );
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
            let mut docs = Vec::new();
            let mut last = None;
            while let Some(row) = rows.next()? {
                if docs.len() == limit {
                    return Ok((docs, last));
                }
                docs.push(row.get::<_, String>(0)?);
                last = Some((row.get::<_, i64>(1)?, row.get::<_, String>(2)?));
            }
            Ok((docs, None))
        })
    }
}
