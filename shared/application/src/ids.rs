//! Where new ids come from: a port, so tests can mint predictable ones.

/// Mints ids for new aggregates, events and correlations.
pub trait Ids: Send + Sync + 'static {
    fn next(&self) -> uuid::Uuid;
}

/// UUID v7: time-ordered, so new streams and events land at the end of the log's indexes.
#[derive(Debug, Default, Clone, Copy)]
pub struct UuidV7Ids;

impl Ids for UuidV7Ids {
    fn next(&self) -> uuid::Uuid {
        uuid::Uuid::now_v7()
    }
}
