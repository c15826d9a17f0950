//! The integration write path: load, decide, append with the expected version, wait for the
//! read model. Integrations change rarely, so no retry: a lost race is a 409 to try again.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::CorrelationId;
use crate::state::AppState;
use servicedesk_domain::integration::{
    decide, evolve, Integration, IntegrationCommand, IntegrationId,
};
use servicedesk_store::{ExpectedVersion, StoreError};

pub async fn execute(
    state: &AppState,
    caller: &Caller,
    id: IntegrationId,
    correlation: CorrelationId,
    command: IntegrationCommand,
) -> Result<Integration, ApiError> {
    let stream = id.stream();
    let _guard = state.stream_locks.lock(&stream).await;
    let current = crate::streams::load(state, &stream, evolve).await?;
    let events = decide(current.as_ref(), &command).map_err(|e| match e {
        servicedesk_domain::DomainError::NotFound => {
            ApiError::NotFound(format!("no integration {id}"))
        }
        other => other.into(),
    })?;
    if events.is_empty() {
        return current.ok_or_else(|| ApiError::NotFound(format!("no integration {id}")));
    }
    let now = state.clock.now();
    let envelopes = crate::streams::envelopes(&events, now, &caller.actor(), correlation.0, None);
    let expected = current.as_ref().map_or(ExpectedVersion::NoStream, |i| {
        ExpectedVersion::Exact(i.version)
    });
    let appended = match state.store.append(&stream, expected, envelopes).await {
        Ok(appended) => appended,
        Err(StoreError::Conflict { .. }) => {
            return Err(ApiError::Conflict {
                detail: "the integration changed meanwhile; try again".to_owned(),
                current_status: None,
                allowed: None,
            })
        }
        Err(other) => return Err(other.into()),
    };
    let after = events
        .iter()
        .fold(current, |s, e| evolve(s, e, now))
        .ok_or_else(|| ApiError::internal("decided events did not produce an integration"))?;
    state
        .projections
        .wait_for(appended.position, state.settings.read_your_writes_timeout)
        .await;
    Ok(after)
}
