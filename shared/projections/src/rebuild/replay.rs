//! Rebuild stage two, off the writer's thread: decodes a batch of the log and folds it into
//! the rows it creates.
//!
//! An incident whose first event in the batch is its stream's first (version 0) cannot have a
//! row yet, so it is folded here in memory, its document serialized, and the writer just
//! inserts it. Any other incident (its history straddles batches, or is spread far apart in
//! the log) is handed over as events, to be merged into its row as the live projection does.

use crate::fold::{decode, fold, Decoded};
use crate::{row, ProjectionError};
use servicedesk_domain::incident::{Incident, IncidentId};
use servicedesk_store::RecordedEvent;
use std::collections::HashMap;

// Nearly every item is a new incident: boxing its state would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Item {
    New { state: Incident, doc: String },
    Merge(Vec<Decoded>),
}

#[allow(clippy::large_enum_variant)]
enum Pending {
    New(Option<Incident>),
    Merge { events: Vec<Decoded>, opened: bool },
}

/// The batch's incidents in the order their rows must be written: the order in which they were
/// created (see `fold`). An incident merged into a row that turns out to be missing is created
/// by its first opening event, so that is its place; one without any could only update a row,
/// whose place does not matter.
pub(crate) fn replay(events: &[RecordedEvent]) -> Result<Vec<Item>, ProjectionError> {
    // Sized for two events an incident, so that these do not regrow (and copy) repeatedly.
    let mut pending: Vec<(usize, Pending)> = Vec::with_capacity(events.len() / 2);
    let mut slots: HashMap<IncidentId, usize> = HashMap::with_capacity(events.len() / 2);
    for (index, recorded) in events.iter().enumerate() {
        let Some(event) = decode(recorded) else {
            continue;
        };
        let slot = *slots.entry(event.id).or_insert_with(|| {
            pending.push((
                index,
                if event.version == 0 {
                    Pending::New(None)
                } else {
                    Pending::Merge {
                        events: Vec::new(),
                        opened: false,
                    }
                },
            ));
            pending.len() - 1
        });
        let Some((place, entry)) = pending.get_mut(slot) else {
            continue;
        };
        match entry {
            Pending::New(state) => {
                if fold(state, &event) {
                    *place = index;
                }
            }
            Pending::Merge { events, opened } => {
                if !*opened && event.is_opening() {
                    *opened = true;
                    *place = index;
                }
                events.push(event);
            }
        }
    }
    pending.sort_by_key(|(place, _)| *place);
    pending
        .into_iter()
        .filter_map(|(_, entry)| match entry {
            Pending::New(None) => None,
            Pending::New(Some(state)) => Some(row::doc(&state).map(|doc| Item::New { state, doc })),
            Pending::Merge { events, .. } => Some(Ok(Item::Merge(events))),
        })
        .collect()
}
