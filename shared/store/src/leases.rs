//! One instance at a time for background processes that must act once (the alarm reactor,
//! the SLA scheduler, the notifier), however many instances share the log.
//!
//! A [`Lease`] is held by one process; its `fence` grows with every handover, and the
//! process's checkpoint is saved through the lease only under that fence, so a holder that has
//! lost its lease without noticing yet cannot move the checkpoint. What it might still do in
//! that window (append a command) is made harmless by the writes themselves: the processes use
//! deterministic ids and expected versions, so a second attempt conflicts and is taken as done.
//! Leases keep the work in one place; idempotent writes keep it correct when leases overlap.

use crate::follow::{follow, FollowOptions, Follower};
use crate::{EventStore, Position, StoreError};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[async_trait]
pub trait Leases: Send + Sync + 'static {
    /// Waits until this process holds the lease called `name`.
    async fn acquire(&self, name: &str) -> Result<Arc<dyn Lease>, StoreError>;
}

#[async_trait]
pub trait Lease: Send + Sync + 'static {
    /// Grows with every handover of this lease.
    fn fence(&self) -> u64;
    /// Turns true once the lease is lost (or released).
    fn lost(&self) -> watch::Receiver<bool>;
    /// The position the previous holders got to.
    async fn checkpoint(&self) -> Result<Position, StoreError>;
    /// Records progress; refused with [`StoreError::LeaseLost`] once another holder took over.
    async fn save_checkpoint(&self, position: Position) -> Result<(), StoreError>;
}

/// Runs a follower only while this process holds `name`: waits for the lease, builds the
/// follower for it (with `make`), follows until told to stop or the lease is lost, then waits
/// for the lease again. The follower should resume from and save to the lease's checkpoint.
pub async fn follow_as_leader<F, M>(
    store: Arc<dyn EventStore>,
    leases: Arc<dyn Leases>,
    name: &'static str,
    make: M,
    options: FollowOptions,
    mut stop: watch::Receiver<bool>,
) where
    F: Follower,
    M: Fn(Arc<dyn Lease>) -> F + Send,
{
    loop {
        let lease = tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            lease = leases.acquire(name) => lease,
        };
        let lease = match lease {
            Ok(lease) => lease,
            Err(error) => {
                tracing::warn!(process = name, %error, "cannot take the lease; retrying");
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        tracing::info!(
            process = name,
            fence = lease.fence(),
            "holding the lease: running here"
        );
        // The follower stops when either the server stops or the lease goes.
        let (term_stop, term) = watch::channel(false);
        let mut lost = lease.lost();
        let follower = make(Arc::clone(&lease));
        let run = follow(store.clone(), follower, options.clone(), term);
        tokio::pin!(run);
        let server_stopping = tokio::select! {
            _ = &mut run => return,
            _ = stop.wait_for(|s| *s) => true,
            _ = lost.wait_for(|l| *l) => false,
        };
        let _ = term_stop.send(true);
        run.await;
        if server_stopping {
            return;
        }
        tracing::warn!(
            process = name,
            "lost the lease: stopped here; waiting to take it again"
        );
    }
}

/// For a single process (the embedded backend's data dir is locked to one): the lease is
/// always held, and the checkpoint lives wherever `save` puts it.
pub struct SoleLease<C> {
    checkpoints: C,
    lost: watch::Receiver<bool>,
    _keep: watch::Sender<bool>,
}

/// Where a sole lease keeps its checkpoint.
pub trait CheckpointFile: Send + Sync + 'static {
    fn load(&self) -> Result<Position, StoreError>;
    fn save(&self, position: Position) -> Result<(), StoreError>;
}

impl<C: CheckpointFile> SoleLease<C> {
    pub fn new(checkpoints: C) -> Self {
        let (keep, lost) = watch::channel(false);
        Self {
            checkpoints,
            lost,
            _keep: keep,
        }
    }
}

#[async_trait]
impl<C: CheckpointFile> Lease for SoleLease<C> {
    fn fence(&self) -> u64 {
        1
    }

    fn lost(&self) -> watch::Receiver<bool> {
        self.lost.clone()
    }

    async fn checkpoint(&self) -> Result<Position, StoreError> {
        self.checkpoints.load()
    }

    async fn save_checkpoint(&self, position: Position) -> Result<(), StoreError> {
        self.checkpoints.save(position)
    }
}
