//! Loading an aggregate from its stream and wrapping decided events in envelopes: the same for
//! incidents, alarms, integrations and problems.

use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use servicedesk_domain::codec::StoredEvent;
use servicedesk_store::{Actor, NewEvent, RecordedEvent};

/// How an aggregate's state moves with one of its events.
pub type Evolve<E, S> = fn(Option<S>, &E, DateTime<Utc>) -> Option<S>;

/// Folds recorded events into state. An event this build cannot read is an error: deciding on
/// a state that skipped it could be wrong.
pub fn fold<E: StoredEvent, S>(
    history: &[RecordedEvent],
    evolve: Evolve<E, S>,
) -> Result<Option<S>, ApiError> {
    let mut state = None;
    for recorded in history {
        let event = E::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        )
        .map_err(ApiError::internal)?;
        state = evolve(state, &event, recorded.occurred_at);
    }
    Ok(state)
}

/// The current state of the aggregate in `stream` (None: no such stream).
pub async fn load<E: StoredEvent, S>(
    state: &AppState,
    stream: &str,
    evolve: Evolve<E, S>,
) -> Result<Option<S>, ApiError> {
    let history = state.store.read_stream(stream, 0, usize::MAX).await?;
    fold(&history, evolve)
}

/// The envelopes of freshly decided events.
pub fn envelopes<E: StoredEvent>(
    events: &[E],
    at: DateTime<Utc>,
    actor: &Actor,
    correlation_id: uuid::Uuid,
    causation_id: Option<uuid::Uuid>,
) -> Vec<NewEvent> {
    events
        .iter()
        .map(|e| NewEvent {
            event_id: uuid::Uuid::now_v7(),
            event_type: e.event_type().to_owned(),
            schema_version: E::SCHEMA_VERSION,
            occurred_at: at,
            actor: actor.clone(),
            correlation_id,
            causation_id,
            data: e.to_json(),
        })
        .collect()
}
