//! The incidents read model: one row per incident (filter columns + the API document),
//! its links, and a full-text index over title and description.

use crate::time::micros;
use crate::ProjectionError;
use rusqlite::{params, OptionalExtension, Transaction};
use servicedesk_domain::incident::{evolve, Incident, IncidentEvent, IncidentId, Link};
use servicedesk_store::RecordedEvent;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub(crate) const PROJECTION: &str = "incidents";

/// What a batch did to one incident: the state before (as far as the row mirrors it) and after.
struct Touched {
    existed: bool,
    title_and_description: Option<(String, String)>,
    links: Vec<Link>,
    state: Option<Incident>,
}

/// Applies a batch of events inside the caller's transaction. Each incident touched is read
/// once and written once per batch, in order of first appearance (so row order, and hence
/// `seq`, is the same live and in a rebuild).
pub(crate) fn apply(
    tx: &Transaction<'_>,
    events: &[RecordedEvent],
) -> Result<usize, ProjectionError> {
    let mut order: Vec<IncidentId> = Vec::new();
    let mut touched: HashMap<IncidentId, Touched> = HashMap::new();
    for recorded in events {
        let Some(id) = IncidentId::from_stream(&recorded.stream) else {
            continue;
        };
        let entry = match touched.entry(id) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(slot) => {
                order.push(id);
                slot.insert(load(tx, id)?)
            }
        };
        if entry
            .state
            .as_ref()
            .is_some_and(|s| recorded.version <= s.version)
        {
            continue; // already applied: redelivery is harmless
        }
        let event = match IncidentEvent::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        ) {
            Ok(event) => event,
            Err(unknown) => {
                tracing::warn!(position = recorded.position, %unknown, "skipping unreadable incident event");
                continue;
            }
        };
        entry.state = evolve(entry.state.take(), &event, recorded.occurred_at);
    }
    for id in &order {
        if let Some(entry) = touched.get(id) {
            store(tx, entry)?;
        }
    }
    Ok(order.len())
}

fn load(tx: &Transaction<'_>, id: IncidentId) -> Result<Touched, ProjectionError> {
    let doc: Option<String> = tx
        .prepare_cached("SELECT doc FROM incidents WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    let Some(doc) = doc else {
        return Ok(Touched {
            existed: false,
            title_and_description: None,
            links: Vec::new(),
            state: None,
        });
    };
    let state: Incident = serde_json::from_str(&doc)
        .map_err(|e| ProjectionError::Corrupt(format!("incident {id}: {e}")))?;
    Ok(Touched {
        existed: true,
        title_and_description: Some((state.title.clone(), state.description.clone())),
        links: state.links.clone(),
        state: Some(state),
    })
}

fn store(tx: &Transaction<'_>, entry: &Touched) -> Result<(), ProjectionError> {
    let Some(s) = &entry.state else {
        return Ok(());
    };
    let doc = serde_json::to_string(s).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    let id = s.id.to_string();
    let seq: i64 = tx
        .prepare_cached(
            "INSERT INTO incidents (id, version, status, priority, title, assignee, assignment_group,
                                    service, configuration_item, customer, opened_at, updated_at, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (id) DO UPDATE SET
                version = excluded.version, status = excluded.status, priority = excluded.priority,
                title = excluded.title, assignee = excluded.assignee,
                assignment_group = excluded.assignment_group, service = excluded.service,
                configuration_item = excluded.configuration_item, customer = excluded.customer,
                updated_at = excluded.updated_at, doc = excluded.doc
             RETURNING seq",
        )?
        .query_row(
            params![
                id,
                s.version as i64,
                s.status.as_str(),
                s.priority.rank(),
                s.title,
                s.assignee,
                s.assignment_group,
                s.service,
                s.configuration_item,
                s.customer,
                micros(s.opened_at),
                micros(s.updated_at),
                doc
            ],
            |r| r.get(0),
        )?;
    let text_changed = entry
        .title_and_description
        .as_ref()
        .is_none_or(|(title, description)| *title != s.title || *description != s.description);
    if text_changed {
        if entry.existed {
            tx.prepare_cached("DELETE FROM incidents_fts WHERE rowid = ?1")?
                .execute([seq])?;
        }
        tx.prepare_cached(
            "INSERT INTO incidents_fts (rowid, title, description) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![seq, s.title, s.description])?;
    }
    if entry.links != s.links {
        tx.prepare_cached("DELETE FROM incident_links WHERE source = ?1")?
            .execute([&id])?;
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO incident_links (source, kind, target) VALUES (?1, ?2, ?3)",
        )?;
        for link in &s.links {
            let kind = serde_json::to_value(link.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            insert.execute(params![id, kind, link.target.to_string()])?;
        }
    }
    Ok(())
}
