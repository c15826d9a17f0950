//! The problem write path: load, decide, append with the expected version.

use crate::error::ApiError;
use crate::extract::CorrelationId;
use crate::state::AppState;
use servicedesk_domain::problem::{decide, evolve, Problem, ProblemCommand, ProblemId};
use servicedesk_store::{Actor, ExpectedVersion, StoreError};

pub async fn execute(
    state: &AppState,
    actor: &Actor,
    id: ProblemId,
    correlation: CorrelationId,
    command: ProblemCommand,
) -> Result<Option<Problem>, ApiError> {
    let stream = id.stream();
    let _guard = state.stream_locks.lock(&stream).await;
    let current = crate::streams::load(state, &stream, evolve).await?;
    let events = decide(current.as_ref(), &command)?;
    if events.is_empty() {
        return Ok(current);
    }
    let now = state.clock.now();
    let envelopes = crate::streams::envelopes(&events, now, actor, correlation.0, None);
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
