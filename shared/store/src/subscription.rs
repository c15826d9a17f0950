use crate::{EventStore, Position, RecordedEvent, StoreError};
use std::sync::Arc;
use tokio::sync::watch;

/// Catches up from a position, then follows new events as they commit. Works over any backend:
/// it reads with `read_all` and waits on `head` between reads.
pub struct Subscription {
    store: Arc<dyn EventStore>,
    after: Position,
    head: watch::Receiver<Position>,
    batch: usize,
}

impl Subscription {
    pub fn new(store: Arc<dyn EventStore>, after: Position, batch: usize) -> Self {
        let head = store.head();
        Self {
            store,
            after,
            head,
            batch: batch.max(1),
        }
    }

    /// The position of the last event returned (or the start position).
    pub fn position(&self) -> Position {
        self.after
    }

    /// The next batch of events, waiting until there is at least one.
    pub async fn next_batch(&mut self) -> Result<Vec<RecordedEvent>, StoreError> {
        loop {
            let head = *self.head.borrow_and_update();
            if head > self.after {
                let events = self.store.read_all(self.after, self.batch).await?;
                if let Some(last) = events.last() {
                    self.after = last.position;
                    return Ok(events);
                }
            }
            self.head.changed().await.map_err(|_| StoreError::Closed)?;
        }
    }
}
