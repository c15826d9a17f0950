//! The incidents read model, kept current live: one row per incident (filter columns + the API
//! document), its links, and a full-text index over title and description.

use crate::fold::{decode, fold, Decoded};
use crate::fts::{self, TextChange};
use crate::{row, ProjectionError};
use rusqlite::{Connection, OptionalExtension};
use servicedesk_domain::incident::{Incident, IncidentId, Link};
use servicedesk_store::RecordedEvent;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub(crate) const PROJECTION: &str = "incidents";

/// One incident a batch touched: what its rows held before (as far as the writes depend on it)
/// and its state after.
struct Touched {
    existed: bool,
    title_and_description: Option<(String, String)>,
    links: Vec<Link>,
    state: Option<Incident>,
}

pub(crate) struct Incidents;

impl crate::registry::Projection for Incidents {
    const NAME: &'static str = PROJECTION;

    fn concerns(recorded: &RecordedEvent) -> bool {
        recorded.stream.starts_with(IncidentId::STREAM_PREFIX)
    }

    fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let decoded: Vec<Decoded> = events.iter().filter_map(decode).collect();
        merge(conn, &decoded).map(|_| ())
    }
}

/// Folds events into the rows of the incidents they touch: each read once and written once.
/// Rows of new incidents are written in the order the incidents were created (see `fold`), so
/// `seq` comes out the same live and in a rebuild, whatever the batches. Returns the number of
/// incidents written.
pub(crate) fn merge(conn: &Connection, events: &[Decoded]) -> Result<usize, ProjectionError> {
    let mut order: Vec<IncidentId> = Vec::new();
    let mut touched: HashMap<IncidentId, Touched> = HashMap::new();
    for event in events {
        let entry = match touched.entry(event.id) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(slot) => {
                let loaded = load(conn, event.id)?;
                if loaded.existed {
                    order.push(event.id); // has its `seq` already: any place will do
                }
                slot.insert(loaded)
            }
        };
        if fold(&mut entry.state, event) {
            order.push(event.id);
        }
    }
    let mut texts = Vec::new();
    for id in &order {
        let Some(entry) = touched.get(id) else {
            continue;
        };
        if let Some(key) = store(conn, entry)? {
            texts.extend(entry.text_change(key));
        }
    }
    fts::write(conn, &mut texts)?;
    Ok(order.len())
}

fn load(conn: &Connection, id: IncidentId) -> Result<Touched, ProjectionError> {
    let doc: Option<String> = conn
        .prepare_cached(
            "SELECT d.doc FROM incidents i JOIN incident_docs d ON d.seq = i.seq WHERE i.id = ?1",
        )?
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

/// Writes the incident's row and links; returns its `text_key` (None when it has no state).
fn store(conn: &Connection, entry: &Touched) -> Result<Option<i64>, ProjectionError> {
    let Some(state) = &entry.state else {
        return Ok(None);
    };
    let (_, key) = row::upsert(conn, state, &row::doc(state)?, !entry.existed)?;
    crate::sla_targets::write(conn, state, entry.existed)?;
    // Notifications are never taken off a ticket: one without any has no rows to replace.
    if !state.notifications.is_empty() {
        crate::notifications::write(conn, state, entry.existed)?;
    }
    if entry.links != state.links {
        row::write_links(conn, state, entry.existed)?;
    }
    Ok(Some(key))
}

impl Touched {
    /// The index row to write, when title or description changed.
    fn text_change(&self, key: i64) -> Option<TextChange<'_>> {
        let state = self.state.as_ref()?;
        let changed = self
            .title_and_description
            .as_ref()
            .is_none_or(|(title, description)| {
                *title != state.title || *description != state.description
            });
        changed.then_some(TextChange {
            key,
            old: self
                .title_and_description
                .as_ref()
                .map(|(title, description)| (title.as_str(), description.as_str())),
            title: &state.title,
            description: &state.description,
        })
    }
}
