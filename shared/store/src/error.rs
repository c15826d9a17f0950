#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another writer got there first; `actual` is the stream's version (None: no stream).
    #[error("stream {stream} is at version {actual:?}, expected {expected}")]
    Conflict {
        stream: String,
        expected: String,
        actual: Option<u64>,
    },
    #[error("the event store is closed")]
    Closed,
    #[error("invalid append: {0}")]
    Invalid(String),
    #[error("event store I/O failed: {0}")]
    Io(String),
    /// The backend cannot be reached right now (a server restarting, a network cut); nothing
    /// of the call was written and it may be retried. (SQLite never says this: its file is
    /// local; a network backend does.)
    #[error("the event store is unavailable: {0}")]
    Unavailable(String),
    /// A lease's holder was replaced (see [`crate::leases`]).
    #[error("lease {0} is held elsewhere now")]
    LeaseLost(String),
}
