//! Leases for the embedded backend: its data dir is locked to one process, so every lease is
//! held at once and for good; checkpoints go to `followers.db` beside the read models.

use servicedesk_projections::{FollowerCheckpoint, ReadModelDb};
use servicedesk_store::{CheckpointFile, Lease, Leases, Position, SoleLease, StoreError};
use std::sync::{Arc, Mutex, PoisonError};

pub struct LocalLeases {
    read_models: ReadModelDb,
}

impl LocalLeases {
    pub fn new(read_models: ReadModelDb) -> Self {
        Self { read_models }
    }
}

#[async_trait::async_trait]
impl Leases for LocalLeases {
    async fn acquire(&self, name: &str) -> Result<Arc<dyn Lease>, StoreError> {
        let checkpoint = FollowerCheckpoint::open(&self.read_models, name)
            .map_err(|e| StoreError::Io(format!("followers.db: {e}")))?;
        Ok(Arc::new(SoleLease::new(LocalCheckpoint(Mutex::new(
            checkpoint,
        )))))
    }
}

/// The connection is not `Sync`; saves are rare (one per batch) and short.
struct LocalCheckpoint(Mutex<FollowerCheckpoint>);

impl CheckpointFile for LocalCheckpoint {
    fn load(&self) -> Result<Position, StoreError> {
        let checkpoint = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        checkpoint
            .load()
            .map_err(|e| StoreError::Io(format!("followers.db: {e}")))
    }

    fn save(&self, position: Position) -> Result<(), StoreError> {
        let checkpoint = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        checkpoint
            .save(position)
            .map_err(|e| StoreError::Io(format!("followers.db: {e}")))
    }
}
