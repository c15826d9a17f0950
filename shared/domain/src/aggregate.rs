//! One shape for every aggregate (incident, problem, integration, alarm), so that one generic
//! `execute` in the application layer runs any of them: load the stream, fold it with
//! `evolve`, `decide` the command, append with the expected version.

use crate::codec::StoredEvent;
use crate::{DomainError, PriorityMatrix};
use chrono::{DateTime, Utc};

/// Everything a decision may depend on besides state and command. The caller reads the clock
/// and passes `now` in; the domain never does.
#[derive(Debug, Clone)]
pub struct DecisionContext {
    pub now: DateTime<Utc>,
    pub priority_matrix: PriorityMatrix,
}

/// An aggregate's identity: the stream its events live in. Implemented by [`crate::stream_id!`].
pub trait StreamId: Copy + std::fmt::Display + Send + Sync + 'static {
    const STREAM_PREFIX: &'static str;
    fn stream(&self) -> String;
}

/// An event-sourced aggregate; `Self` is its state.
pub trait Aggregate: Sized + Send + Sync + 'static {
    /// What the aggregate is called in messages ("incident").
    const NAME: &'static str;
    type Id: StreamId;
    type Command: Send + Sync;
    type Event: StoredEvent + Send + Sync;

    /// The stream version of the last event folded into this state.
    fn version(&self) -> u64;

    /// Whether the command creates its stream under an id minted for it, so that there is no
    /// history worth reading: it is appended expecting no stream, and a conflict means the id
    /// is taken.
    fn creates(_command: &Self::Command) -> bool {
        false
    }

    /// The events the command produces on this state; none when it changes nothing.
    fn decide(
        state: Option<&Self>,
        command: &Self::Command,
        ctx: &DecisionContext,
    ) -> Result<Vec<Self::Event>, DomainError>;

    /// The state after one more event, recorded at `at`.
    fn evolve(state: Option<Self>, event: &Self::Event, at: DateTime<Utc>) -> Option<Self>;
}
