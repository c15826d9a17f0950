//! The one write path for every aggregate: load its stream, decide, append with the expected
//! version, and (for callers that read next) wait until the read models include the write.
//!
//! The retry rule, written once: commands on one stream from this process run one at a time
//! (a striped lock), so they queue instead of failing each other's version checks; a race lost
//! to another process is decided again on the fresh state, up to [`ATTEMPTS`] times, unless
//! the caller named the version it saw (`If-Match`): then it is a stale version, not retried.

use crate::streams::{envelopes, load, Provenance};
use crate::{App, AppError};
use servicedesk_domain::{Aggregate, DomainError, StreamId};
use servicedesk_store::{Actor, ExpectedVersion, Position, StoreError};

const ATTEMPTS: usize = 5;

/// Whether the caller needs the read models to include the write before it goes on. An HTTP
/// client does (it may read next); a background process does not, and waiting would
/// serialize it behind the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadYourWrites {
    Wait,
    DontWait,
}

/// How a command is run: on whose behalf, against which version, and whether to wait.
#[derive(Debug, Clone)]
pub struct Execution {
    pub provenance: Provenance,
    /// The stream version the caller last saw (`If-Match`); another one refuses the command.
    pub expected_version: Option<u64>,
    pub read_your_writes: ReadYourWrites,
}

impl Execution {
    /// A command by `actor`, waiting for the read models, with no version expectation.
    pub fn by(actor: Actor, correlation_id: uuid::Uuid) -> Self {
        Self {
            provenance: Provenance {
                actor,
                correlation_id,
                causation_id: None,
            },
            expected_version: None,
            read_your_writes: ReadYourWrites::Wait,
        }
    }

    pub fn expecting(mut self, version: Option<u64>) -> Self {
        self.expected_version = version;
        self
    }

    pub fn without_waiting(mut self) -> Self {
        self.read_your_writes = ReadYourWrites::DontWait;
        self
    }

    pub fn caused_by(mut self, event: Option<uuid::Uuid>) -> Self {
        self.provenance.causation_id = event;
        self
    }
}

/// The aggregate after the command; `position` is None when the command changed nothing
/// (e.g. the same assignment again), which is a success, not an error.
#[derive(Debug, Clone)]
pub struct Executed<A> {
    pub state: A,
    pub position: Option<Position>,
}

impl App {
    #[tracing::instrument(skip_all, fields(aggregate = A::NAME, id = %id))]
    pub async fn execute<A: Aggregate>(
        &self,
        id: A::Id,
        command: A::Command,
        how: &Execution,
    ) -> Result<Executed<A>, AppError> {
        let stream = id.stream();
        let guard = self.stream_locks.lock(&stream).await;
        let creates = A::creates(&command);
        for _ in 0..ATTEMPTS {
            let current = if creates {
                None
            } else {
                load::<A>(self.store.as_ref(), &stream).await?
            };
            let version = current.as_ref().map(A::version);
            if let (Some(expected), Some(actual)) = (how.expected_version, version) {
                if expected != actual {
                    return Err(AppError::StaleVersion {
                        kind: A::NAME,
                        expected,
                        current_version: actual,
                    });
                }
            }
            let now = self.clock.now();
            let events = A::decide(current.as_ref(), &command, &self.decision_context(now))
                .map_err(|e| refusal::<A>(e, id))?;
            if events.is_empty() {
                let state = current.ok_or_else(|| not_found::<A>(id))?;
                return Ok(Executed {
                    state,
                    position: None,
                });
            }
            let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
            let appending = envelopes(&events, now, &how.provenance);
            match self.store.append(&stream, expected, appending).await {
                Ok(appended) => {
                    self.metrics.appended(events.len());
                    let state = events
                        .iter()
                        .fold(current, |s, e| A::evolve(s, e, now))
                        .ok_or_else(|| {
                            AppError::internal(format!(
                                "decided events did not produce a {}",
                                A::NAME
                            ))
                        })?;
                    drop(guard);
                    if how.read_your_writes == ReadYourWrites::Wait {
                        self.wait_for_read_models(appended.position).await;
                    }
                    return Ok(Executed {
                        state,
                        position: Some(appended.position),
                    });
                }
                Err(StoreError::Conflict { actual, .. }) => {
                    self.metrics.conflicted();
                    if let Some(expected) = how.expected_version {
                        return Err(AppError::StaleVersion {
                            kind: A::NAME,
                            expected,
                            current_version: actual.unwrap_or_default(),
                        });
                    }
                    if creates {
                        return Err(AppError::Conflict(format!(
                            "an {} with this id already exists",
                            A::NAME
                        )));
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Conflict(format!(
            "the {} kept changing under concurrent writes; try again",
            A::NAME
        )))
    }

    /// The aggregate's current state from its stream (not the read model: decisions need the
    /// truth).
    pub async fn load<A: Aggregate>(&self, id: A::Id) -> Result<Option<A>, AppError> {
        load::<A>(self.store.as_ref(), &id.stream()).await
    }

    /// Waits (bounded by the settings) until the read models include `position`.
    pub async fn wait_for_read_models(&self, position: Position) {
        let timeout = self.settings.read_your_writes_timeout;
        if !self.projections.wait_for(position, timeout).await {
            tracing::warn!(position, "read models lag behind an acknowledged write");
        }
    }
}

fn not_found<A: Aggregate>(id: A::Id) -> AppError {
    AppError::NotFound {
        kind: A::NAME,
        id: id.to_string(),
    }
}

fn refusal<A: Aggregate>(error: DomainError, id: A::Id) -> AppError {
    match error {
        DomainError::NotFound => not_found::<A>(id),
        other => AppError::Refused(other),
    }
}
