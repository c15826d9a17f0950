//! The alarms read model: active and recent alarms with their occurrence counts and incidents.
//!
//! A row and its document are the alarm as its own stream left it; repeats recorded in the
//! repeat journal are summed apart (see `alarm_repeats`), and reads add them to the document's
//! `occurrences` and `last_seen`.

use crate::time::micros;
use crate::ProjectionError;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use servicedesk_domain::alarm::{evolve, Alarm, AlarmEvent, AlarmId};
use servicedesk_store::RecordedEvent;
use std::collections::HashMap;

pub(crate) struct Alarms;

impl crate::registry::Projection for Alarms {
    const NAME: &'static str = "alarms";

    fn concerns(recorded: &RecordedEvent) -> bool {
        recorded.stream.starts_with(AlarmId::STREAM_PREFIX)
    }

    fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        apply(conn, events)
    }
}

/// Applies a batch's alarm events: each alarm read once and written once per batch.
fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
    let mut order = Vec::new();
    let mut states: HashMap<AlarmId, Option<Alarm>> = HashMap::new();
    let mut changed: HashMap<AlarmId, i64> = HashMap::new();
    for recorded in events {
        let Some(id) = AlarmId::from_stream(&recorded.stream) else {
            continue;
        };
        let Some(event) = readable::<AlarmEvent>(recorded) else {
            continue;
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
        changed.insert(id, micros(recorded.occurred_at));
    }
    for id in order {
        if let (Some(Some(alarm)), Some(changed_at)) = (states.get(&id), changed.get(&id)) {
            store(conn, alarm, *changed_at)?;
        }
    }
    Ok(())
}

/// The event, or None (logged) when this build cannot read it.
pub(crate) fn readable<E: servicedesk_domain::codec::StoredEvent>(
    recorded: &RecordedEvent,
) -> Option<E> {
    match E::from_stored(
        &recorded.event_type,
        recorded.schema_version,
        &recorded.data,
    ) {
        Ok(event) => Some(event),
        Err(unknown) => {
            tracing::warn!(position = recorded.position, %unknown, "skipping unreadable alarm event");
            None
        }
    }
}

fn load(conn: &Connection, id: AlarmId) -> Result<Option<Alarm>, ProjectionError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM alarm_docs WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d).map_err(|e| ProjectionError::Corrupt(format!("alarm {id}: {e}")))
    })
    .transpose()
}

/// The stored document with the journal's repeats added.
fn with_counts(doc: &str, occurrences: i64, last_seen: i64) -> Result<String, ProjectionError> {
    let mut value: serde_json::Value =
        serde_json::from_str(doc).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("occurrences".to_owned(), occurrences.into());
        if let Some(at) = chrono::DateTime::from_timestamp_micros(last_seen) {
            fields.insert(
                "last_seen".to_owned(),
                serde_json::to_value(at).map_err(|e| ProjectionError::Corrupt(e.to_string()))?,
            );
        }
    }
    serde_json::to_string(&value).map_err(|e| ProjectionError::Corrupt(e.to_string()))
}

fn store(conn: &Connection, a: &Alarm, changed_at: i64) -> Result<(), ProjectionError> {
    let doc = serde_json::to_string(a).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    let id = a.id.to_string();
    conn.prepare_cached(
        "INSERT INTO alarms (id, integration, fingerprint, status, severity, host, incident, flapping,
                             occurrences, last_seen, changed_at, version, configuration_item,
                             alarm_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, severity = excluded.severity,
            host = excluded.host, incident = excluded.incident, flapping = excluded.flapping,
            configuration_item = excluded.configuration_item, alarm_name = excluded.alarm_name,
            occurrences = excluded.occurrences, last_seen = excluded.last_seen,
            changed_at = excluded.changed_at, version = excluded.version",
    )?
    .execute(params![
        id,
        a.snapshot.integration.to_string(),
        a.snapshot.fingerprint,
        a.status.as_str(),
        a.snapshot.severity.as_str(),
        a.snapshot.host,
        a.incident.map(|i| i.to_string()),
        a.flapping,
        a.occurrences as i64,
        micros(a.last_seen),
        changed_at,
        a.version as i64,
        a.snapshot.configuration_item,
        a.snapshot.alarm_name,
    ])?;
    conn.prepare_cached(
        "INSERT INTO alarm_docs (id, doc) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
    )?
    .execute(params![id, doc])?;
    Ok(())
}

/// Where a page of alarms ends: the `changed_at` (microseconds) and id of its last alarm.
pub type AlarmKey = (i64, String);

/// A page of alarm documents (JSON, as stored) and, when more remain, where it ended.
pub type AlarmPage = (Vec<String>, Option<AlarmKey>);

/// Filters of the alarm list; the most recently changed first (a repeat is not a change).
#[derive(Debug, Clone, Default)]
pub struct AlarmFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub host: Option<String>,
    pub fingerprint: Option<String>,
    /// Keyset: only alarms changed before (changed_at, id).
    pub before: Option<AlarmKey>,
}

impl crate::ReadModelDb {
    /// Occurrences (repeats included) and last seen (microseconds) of each alarm found.
    pub fn alarm_counts(
        &self,
        ids: &[AlarmId],
    ) -> Result<HashMap<AlarmId, (u64, i64)>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT a.occurrences + coalesce(r.count, 0), max(a.last_seen, coalesce(r.last_seen, 0))
                 FROM alarms a LEFT JOIN alarm_repeats r ON r.id = a.id WHERE a.id = ?1",
            )?;
            let mut found = HashMap::new();
            for id in ids {
                if let Some((occurrences, last_seen)) = stmt
                    .query_row([id.to_string()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                    .optional()?
                {
                    found.insert(*id, (occurrences.max(0) as u64, last_seen));
                }
            }
            Ok(found)
        })
    }

    /// The alarms of one configuration item with one alarm name (documents as stored; the
    /// counts are not needed by their only reader, recurrence), at most 200.
    pub fn alarms_of_item(
        &self,
        configuration_item: &str,
        alarm_name: &str,
    ) -> Result<Vec<String>, ProjectionError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT d.doc FROM alarms a JOIN alarm_docs d ON d.id = a.id
                 WHERE a.configuration_item = ?1 AND a.alarm_name = ?2 LIMIT 200",
            )?;
            let docs = stmt
                .query_map([configuration_item, alarm_name], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(docs)
        })
    }

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
                clauses.push(format!("a.{column} = ?"));
                values.push(Value::Text(v.clone()));
            }
        }
        if let Some((changed_at, id)) = &filter.before {
            clauses.push("(a.changed_at, a.id) < (?, ?)".to_owned());
            values.push(Value::Integer(*changed_at));
            values.push(Value::Text(id.clone()));
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT d.doc, a.changed_at, a.id, a.occurrences + coalesce(r.count, 0),
                    max(a.last_seen, coalesce(r.last_seen, 0))
             FROM alarms a JOIN alarm_docs d ON d.id = a.id
             LEFT JOIN alarm_repeats r ON r.id = a.id {where_sql}
             ORDER BY a.changed_at DESC, a.id DESC LIMIT {}",
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
                docs.push(with_counts(
                    &row.get::<_, String>(0)?,
                    row.get(3)?,
                    row.get(4)?,
                )?);
                last = Some((row.get::<_, i64>(1)?, row.get::<_, String>(2)?));
            }
            Ok((docs, None))
        })
    }
}
