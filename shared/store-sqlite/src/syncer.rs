//! The syncer thread: makes committed batches durable and only then acknowledges them.
//!
//! The writer commits with `synchronous=NORMAL`, which in WAL mode appends the transaction's
//! frames to the WAL without fsync, and hands each committed batch here without waiting. The
//! syncer takes every batch waiting, runs one `fdatasync` on the WAL file, publishes the new
//! head and then replies. One fsync thus covers all batches committed before it, and the
//! writer builds the next batch while the disk flushes the previous ones.
//!
//! Why this is as durable as `synchronous=FULL` for everything acknowledged:
//! - The fsync runs after the batch's commit returned, so it covers the batch's frames, its
//!   commit frame and the WAL header (salts, checksums) written before them: after a power
//!   loss, recovery finds a valid WAL holding the batch. fsync works on the file, not on the
//!   descriptor, so our own descriptor on `<db>-wal` flushes what SQLite wrote through its own.
//! - Acknowledged frames are only ever overwritten when SQLite restarts the WAL from its start,
//!   which it does only after a checkpoint has copied every frame into the database file. In
//!   WAL mode SQLite fsyncs the WAL before a checkpoint and the database file after it, with
//!   `synchronous=NORMAL` as with FULL, so those events are on disk in the database first.
//!   On restart it also fsyncs the new WAL header before writing any frame after it (again
//!   under NORMAL too), so a torn restart cannot resurrect a stale prefix of the old WAL.
//! - The WAL file is never replaced while the store runs: the writer connection stays open, so
//!   SQLite does not delete it, and truncation keeps the same file.
//!
//! Readers must not outrun the syncer either: a read is clamped to the published head, so no
//! projection or command acts on an event a power loss could still take back.

use crate::connection::io;
use crate::stats::Counters;
use crate::writer::Reply;
use servicedesk_store::{Appended, Position, StoreError};
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::watch;

/// A batch the writer has committed but nobody has heard about yet.
pub(super) struct Committed {
    pub(super) replies: Vec<(Reply, Result<Vec<Appended>, StoreError>)>,
    /// The position of the last event in the log after this batch (unchanged if it wrote
    /// nothing, e.g. only conflicts).
    pub(super) last_position: Position,
}

/// Set once an fsync has failed. After a failed fsync the kernel may have dropped the dirty
/// pages and a retry can report success without writing them, so nothing written since can
/// be vouched for: the store refuses every further append.
#[derive(Clone, Default)]
pub(super) struct Failed(Arc<AtomicBool>);

impl Failed {
    pub(super) fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub(super) fn error() -> StoreError {
        StoreError::Io(
            "the event log can no longer be synced to disk; appends are refused".to_owned(),
        )
    }
}

pub(super) struct Syncer {
    wal: File,
    head: watch::Sender<Position>,
    failed: Failed,
    stats: Arc<Counters>,
}

/// The writer's end: hands batches over, and at shutdown waits for the last sync.
pub(super) struct SyncerHandle {
    batches: mpsc::Sender<Committed>,
    thread: JoinHandle<()>,
    failed: Failed,
}

impl Syncer {
    /// Opens the WAL of the database at `path`; the writer connection must already have read
    /// the database, which creates the WAL. Syncs once up front: what an earlier process
    /// committed but never synced (it crashed first) becomes durable before `head` shows it.
    pub(super) fn open(
        wal: &Path,
        head: watch::Sender<Position>,
        failed: Failed,
        stats: Arc<Counters>,
    ) -> Result<Self, StoreError> {
        let wal = File::options()
            .read(true)
            .write(true)
            .open(wal)
            .map_err(|e| StoreError::Io(format!("opening {}: {e}", wal.display())))?;
        wal.sync_data().map_err(io)?;
        Ok(Self {
            wal,
            head,
            failed,
            stats,
        })
    }

    pub(super) fn spawn(self) -> Result<SyncerHandle, StoreError> {
        let (batches, committed) = mpsc::channel();
        let failed = self.failed.clone();
        let thread = std::thread::Builder::new()
            .name("event-store-syncer".to_owned())
            .spawn(move || self.run(committed))
            .map_err(io)?;
        Ok(SyncerHandle {
            batches,
            thread,
            failed,
        })
    }

    /// Runs until the writer drops its handle and every batch handed over is answered.
    fn run(self, committed: mpsc::Receiver<Committed>) {
        let mut durable = *self.head.borrow();
        let mut group = Vec::new();
        while let Ok(first) = committed.recv() {
            group.push(first);
            group.extend(committed.try_iter());
            let last = group.iter().map(|b| b.last_position).max().unwrap_or(0);
            // Batches that wrote nothing new still wait for the sync of what they read.
            let synced = if self.failed.is_set() {
                Err(Failed::error())
            } else if last <= durable {
                Ok(())
            } else {
                self.sync()
            };
            if synced.is_ok() && last > durable {
                durable = last;
                self.head.send_replace(last);
            }
            for (reply, outcome) in group.drain(..).flat_map(|b| b.replies) {
                let outcome = match &synced {
                    Ok(()) => outcome,
                    Err(error) => Err(error.clone()),
                };
                // The caller may have given up waiting; its events are durable anyway.
                let _ = reply.send(outcome);
            }
        }
    }

    fn sync(&self) -> Result<(), StoreError> {
        let started = Instant::now();
        let synced = self.wal.sync_data();
        self.stats.sync(started.elapsed());
        synced.map_err(|error| {
            tracing::error!(%error, "fsync of the event log's WAL failed; refusing appends");
            self.failed.set();
            StoreError::Io(format!("fsync of the event log failed: {error}"))
        })
    }
}

impl SyncerHandle {
    pub(super) fn hand_over(&self, batch: Committed) {
        if let Err(mpsc::SendError(batch)) = self.batches.send(batch) {
            // Only if the syncer panicked: nothing can be made durable any more.
            tracing::error!("the event store's syncer is gone; refusing appends");
            self.failed.set();
            for (reply, _) in batch.replies {
                let _ = reply.send(Err(Failed::error()));
            }
        }
    }

    /// Lets the syncer answer every batch handed over, then waits for it to end.
    pub(super) fn finish(self) -> Result<(), StoreError> {
        drop(self.batches);
        self.thread
            .join()
            .map_err(|_| StoreError::Io("the syncer thread panicked".to_owned()))?;
        if self.failed.is_set() {
            return Err(Failed::error());
        }
        Ok(())
    }
}
