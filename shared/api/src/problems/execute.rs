//! The problem write path: load, decide, append with the expected version.

use crate::error::ApiError;
use crate::extract::CorrelationId;
use crate::state::AppState;
use servicedesk_domain::problem::{
    decide, evolve, Problem, ProblemCommand, ProblemEvent, ProblemId,
};
use servicedesk_store::{Actor, ExpectedVersion, NewEvent, StoreError};

pub async fn execute(
    state: &AppState,
    actor: &Actor,
    id: ProblemId,
    correlation: CorrelationId,
    command: ProblemCommand,
) -> Result<Option<Problem>, ApiError> {
    let stream = id.stream();
    let _guard = state.stream_locks.lock(&stream).await;
    let history = state.store.read_stream(&stream, 0, usize::MAX).await?;
    let mut current = None;
    for recorded in &history {
        let event = ProblemEvent::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        )
        .map_err(ApiError::internal)?;
        current = evolve(current, &event, recorded.occurred_at);
    }
    let events = decide(current.as_ref(), &command)?;
    if events.is_empty() {
        return Ok(current);
    }
    let now = state.clock.now();
    let envelopes = events
        .iter()
        .map(|e| NewEvent {
            event_id: uuid::Uuid::now_v7(),
            event_type: e.event_type().to_owned(),
            schema_version: ProblemEvent::SCHEMA_VERSION,
            occurred_at: now,
            actor: actor.clone(),
            correlation_id: correlation.0,
            causation_id: None,
            data: e.to_json(),
        })
        .collect();
    let expected = current.as_ref().map_or(ExpectedVersion::NoStream, |p| {
        ExpectedVersion::Exact(p.version)
    });
    match state.store.append(&stream, expected, envelopes).await {
        Ok(_) => Ok(events.iter().fold(current, |s, e| evolve(s, e, now))),
        Err(StoreError::Conflict { .. }) => Err(ApiError::Conflict {
            detail: "the problem changed meanwhile; try again".to_owned(),
            current_status: None,
            allowed: None,
        }),
        Err(other) => Err(other.into()),
    }
}
