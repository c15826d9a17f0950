//! The write path: load the stream, decide, append with the expected version, wait until the
//! read models include the write (read-your-writes), answer with the new state.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{CorrelationId, IfMatch};
use crate::state::AppState;
use servicedesk_domain::incident::{
    decide, evolve, DecisionContext, Incident, IncidentCommand, IncidentId,
};
use servicedesk_store::{ExpectedVersion, StoreError};
use std::sync::atomic::Ordering;

/// Without `If-Match` a write that lost a race (to another process: this one serializes its own
/// commands per stream) is decided again on the fresh state; this many times before a 409.
const ATTEMPTS: usize = 5;

/// The incident after the command; unchanged when the command changed nothing
/// (e.g. the same assignment again), which is a success, not an error.
pub struct Executed {
    pub incident: Incident,
}

pub async fn execute(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    if_match: IfMatch,
    correlation: CorrelationId,
    command: IncidentCommand,
) -> Result<Executed, ApiError> {
    execute_then(
        state,
        caller,
        id,
        if_match,
        correlation,
        command,
        ReadYourWrites::Wait,
    )
    .await
}

/// Whether the caller needs the read models to include the write before it goes on. An HTTP
/// client does (it may read next); the alarm reactor does not, and waiting would serialize it
/// behind the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadYourWrites {
    Wait,
    DontWait,
}

#[tracing::instrument(skip_all, fields(incident = %id))]
pub async fn execute_then(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    if_match: IfMatch,
    correlation: CorrelationId,
    command: IncidentCommand,
    then: ReadYourWrites,
) -> Result<Executed, ApiError> {
    let stream = id.stream();
    let guard = state.stream_locks.lock(&stream).await;
    for _ in 0..ATTEMPTS {
        // A new id (UUID v7, minted by this request) has no stream: skip the read; the
        // NoStream expectation still refuses a collision.
        let current = match command {
            IncidentCommand::Open(_) => None,
            _ => load(state, &stream).await?,
        };
        let version = current.as_ref().map(|i| i.version);
        if let (Some(expected), Some(actual)) = (if_match.0, version) {
            if expected != actual {
                return Err(ApiError::PreconditionFailed {
                    expected: expected.to_string(),
                    current_version: actual,
                });
            }
        }
        let now = state.clock.now();
        let ctx = DecisionContext {
            now,
            priority_matrix: state.settings.priority_matrix.clone(),
        };
        let events = decide(current.as_ref(), &command, &ctx)?;
        if events.is_empty() {
            let incident =
                current.ok_or_else(|| ApiError::NotFound("no such incident".to_owned()))?;
            return Ok(Executed { incident });
        }
        let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
        let envelopes =
            crate::streams::envelopes(&events, now, &caller.actor(), correlation.0, None);
        match state.store.append(&stream, expected, envelopes).await {
            Ok(appended) => {
                state.metrics.appends.fetch_add(1, Ordering::Relaxed);
                state
                    .metrics
                    .appended_events
                    .fetch_add(events.len() as u64, Ordering::Relaxed);
                let incident = events
                    .iter()
                    .fold(current, |s, e| evolve(s, e, now))
                    .ok_or_else(|| {
                        ApiError::internal("decided events did not produce an incident")
                    })?;
                drop(guard);
                let timeout = state.settings.read_your_writes_timeout;
                if then == ReadYourWrites::Wait
                    && !state.projections.wait_for(appended.position, timeout).await
                {
                    tracing::warn!(
                        position = appended.position,
                        "read models lag behind an acknowledged write"
                    );
                }
                return Ok(Executed { incident });
            }
            Err(StoreError::Conflict { actual, .. }) => {
                state
                    .metrics
                    .append_conflicts
                    .fetch_add(1, Ordering::Relaxed);
                if let Some(expected) = if_match.0 {
                    return Err(ApiError::PreconditionFailed {
                        expected: expected.to_string(),
                        current_version: actual.unwrap_or_default(),
                    });
                }
                if matches!(command, IncidentCommand::Open(_)) {
                    return Err(ApiError::Conflict {
                        detail: "an incident with this id already exists".to_owned(),
                        current_status: None,
                        allowed: None,
                    });
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::Conflict {
        detail: "the incident kept changing under concurrent writes; try again".to_owned(),
        current_status: None,
        allowed: None,
    })
}

/// The incident's current state from its stream (not the read model: decisions need the truth).
pub async fn load(state: &AppState, stream: &str) -> Result<Option<Incident>, ApiError> {
    crate::streams::load(state, stream, evolve).await
}
