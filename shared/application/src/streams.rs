//! Loading an aggregate from its stream and wrapping decided events in envelopes: the same for
//! every aggregate.

use crate::AppError;
use chrono::{DateTime, Utc};
use servicedesk_domain::codec::StoredEvent;
use servicedesk_domain::Aggregate;
use servicedesk_store::{Actor, EventStore, NewEvent, RecordedEvent};

/// Folds recorded events into state. An event this build cannot read is an error: deciding on
/// a state that skipped it could be wrong.
pub fn fold<A: Aggregate>(history: &[RecordedEvent]) -> Result<Option<A>, AppError> {
    let mut state = None;
    for recorded in history {
        let event = A::Event::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        )
        .map_err(AppError::internal)?;
        state = A::evolve(state, &event, recorded.occurred_at);
    }
    Ok(state)
}

/// The current state of the aggregate in `stream` (None: no such stream).
pub async fn load<A: Aggregate>(
    store: &dyn EventStore,
    stream: &str,
) -> Result<Option<A>, AppError> {
    let history = store.read_stream(stream, 0, usize::MAX).await?;
    fold::<A>(&history)
}

/// Who caused an append and under which correlation: carried into every envelope.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub actor: Actor,
    pub correlation_id: uuid::Uuid,
    pub causation_id: Option<uuid::Uuid>,
}

/// The envelopes of freshly decided events.
pub fn envelopes<E: StoredEvent>(
    events: &[E],
    at: DateTime<Utc>,
    provenance: &Provenance,
) -> Vec<NewEvent> {
    events
        .iter()
        .map(|e| NewEvent {
            event_id: uuid::Uuid::now_v7(),
            event_type: e.event_type().to_owned(),
            schema_version: E::SCHEMA_VERSION,
            occurred_at: at,
            actor: provenance.actor.clone(),
            correlation_id: provenance.correlation_id,
            causation_id: provenance.causation_id,
            data: e.to_json(),
        })
        .collect()
}
