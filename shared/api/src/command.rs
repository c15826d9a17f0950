//! Commands from HTTP: the caller, its `If-Match` and its correlation id become an
//! [`Execution`] of the application's one write path.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{CorrelationId, IfMatch};
use crate::state::AppState;
use servicedesk_application::Execution;
use servicedesk_domain::Aggregate;

/// Runs the command and answers with the aggregate after it (unchanged when the command
/// changed nothing), once the read models include the write.
pub async fn execute<A: Aggregate>(
    state: &AppState,
    caller: &Caller,
    id: A::Id,
    if_match: IfMatch,
    correlation: CorrelationId,
    command: A::Command,
) -> Result<A, ApiError> {
    let how = Execution::by(caller.actor(), correlation.0).expecting(if_match.0);
    Ok(state.app.execute::<A>(id, command, &how).await?.state)
}
