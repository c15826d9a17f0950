//! The event log: streams with per-stream versions and one global order.
//!
//! The store knows events only as envelopes (type, data, metadata); nothing here knows about
//! tickets. Backends implement [`EventStore`]; the embedded default is
//! `servicedesk_store_sqlite::SqliteEventStore`, each backend in its own crate.
//! [`conformance`] holds the behaviour every backend must show, written once against the trait.

pub mod clock;
pub mod conformance;
pub mod envelope;
pub mod error;
pub mod follow;
pub mod leases;
pub mod subscription;

pub use clock::{Clock, ManualClock, SystemClock};
pub use envelope::{
    Actor, ActorKind, Appended, ExpectedVersion, NewEvent, Position, RecordedEvent, StreamAppend,
};
pub use error::StoreError;
pub use follow::{follow, FollowOptions, Follower};
pub use leases::{follow_as_leader, CheckpointFile, Lease, Leases, SoleLease};
pub use subscription::Subscription;

use async_trait::async_trait;
use tokio::sync::watch;

/// What every backend refuses before writing anything: no parts, a part without events, an
/// empty stream name.
pub fn validate_parts(parts: &[StreamAppend]) -> Result<(), StoreError> {
    if parts.is_empty() {
        return Err(StoreError::Invalid("no streams to append to".to_owned()));
    }
    for part in parts {
        if part.events.is_empty() {
            return Err(StoreError::Invalid("no events to append".to_owned()));
        }
        if part.stream.is_empty() {
            return Err(StoreError::Invalid("empty stream name".to_owned()));
        }
    }
    Ok(())
}

/// Hands an append to a backend's writer task over its queue (None once closed) and waits
/// for the writer's answer: how the group-committing backends take appends.
pub async fn submit_to_writer<R>(
    queue: Option<tokio::sync::mpsc::Sender<R>>,
    request: impl FnOnce(tokio::sync::oneshot::Sender<Result<Vec<Appended>, StoreError>>) -> R,
) -> Result<Vec<Appended>, StoreError> {
    let queue = queue.ok_or(StoreError::Closed)?;
    let (reply, replied) = tokio::sync::oneshot::channel();
    queue
        .send(request(reply))
        .await
        .map_err(|_| StoreError::Closed)?;
    // Not held while waiting: close() waits for the writer, which ends with the last sender.
    drop(queue);
    replied
        .await
        .map_err(|_| StoreError::Io("the writer stopped before replying".to_owned()))?
}

/// Moves a head forward only: commits, notifications and polls may report out of order.
pub fn advance_head(head: &watch::Sender<Position>, position: Position) {
    head.send_if_modified(|current| {
        if position > *current {
            *current = position;
            true
        } else {
            false
        }
    });
}

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Appends `events` to `stream` if its current version matches `expected`.
    /// Returns only once the events are durable. All events of one call commit together.
    /// (An `append_many` of one part, unless a backend has a faster way.)
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        let mut appended = self
            .append_many(vec![StreamAppend {
                stream: stream.to_owned(),
                expected,
                events,
            }])
            .await?;
        appended
            .pop()
            .ok_or_else(|| StoreError::Io("the backend answered without a version".to_owned()))
    }

    /// Appends to several streams in one transaction: every part is written or none is. Each
    /// part's expected version is checked against the stream as the parts before it in the same
    /// call left it; the first that fails refuses the whole call with its conflict. Returns one
    /// [`Appended`] per part, in order, once all are durable.
    async fn append_many(&self, parts: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError>;

    /// Events of one stream with `version >= from_version`, oldest first, at most `max`.
    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Events of all streams with `position > after`, in global order, at most `max`.
    async fn read_all(&self, after: Position, max: usize)
        -> Result<Vec<RecordedEvent>, StoreError>;

    /// The position of the last durable event; moves on as appends become durable.
    fn head(&self) -> watch::Receiver<Position>;

    /// Stops accepting appends, finishes those already accepted, and releases the backend.
    async fn close(&self) -> Result<(), StoreError>;
}
