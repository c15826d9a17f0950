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
}
