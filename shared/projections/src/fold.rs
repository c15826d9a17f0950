//! Reading incident events off the log and folding them into state: the one rule the live
//! projection and a rebuild share, so both arrive at the same rows.

use chrono::{DateTime, Utc};
use servicedesk_domain::incident::{evolve, Incident, IncidentEvent, IncidentId};
use servicedesk_store::RecordedEvent;

/// An incident event, decoded once.
pub(crate) struct Decoded {
    pub id: IncidentId,
    /// The stream version, to skip an event the state already includes.
    pub version: u64,
    pub at: DateTime<Utc>,
    pub event: IncidentEvent,
}

impl Decoded {
    pub fn is_opening(&self) -> bool {
        matches!(self.event, IncidentEvent::IncidentOpened(_))
    }
}

/// The incident event in `recorded`; None for other streams, and for events this build cannot
/// read, which are logged and skipped.
pub(crate) fn decode(recorded: &RecordedEvent) -> Option<Decoded> {
    let id = IncidentId::from_stream(&recorded.stream)?;
    match IncidentEvent::from_stored(
        &recorded.event_type,
        recorded.schema_version,
        &recorded.data,
    ) {
        Ok(event) => Some(Decoded {
            id,
            version: recorded.version,
            at: recorded.occurred_at,
            event,
        }),
        Err(unknown) => {
            tracing::warn!(position = recorded.position, %unknown, "skipping unreadable incident event");
            None
        }
    }
}

/// Folds one event into `state`. Returns true when this event created the incident (no state
/// before, some after): that moment, not the incident's first event, fixes its row's place in
/// `seq` order, whatever the batch boundaries.
pub(crate) fn fold(state: &mut Option<Incident>, event: &Decoded) -> bool {
    if state.as_ref().is_some_and(|s| event.version <= s.version) {
        return false; // already applied: redelivery is harmless
    }
    let had_none = state.is_none();
    *state = evolve(state.take(), &event.event, event.at);
    had_none && state.is_some()
}
