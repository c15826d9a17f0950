//! Counters of the write path, so a benchmark can see how well commits are grouped: appends
//! per transaction and transactions per fsync. Relaxed atomics: a few nanoseconds per batch.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Totals since the store was opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Append requests the writer took (committed, refused or failed).
    pub requests: u64,
    /// Transactions the writer committed or rolled back.
    pub batches: u64,
    /// fsyncs of the WAL the syncer ran; each acknowledges every batch committed before it.
    pub syncs: u64,
    /// Time the writer spent writing and committing batches.
    pub commit_time: Duration,
    /// Time the syncer spent in fsync.
    pub sync_time: Duration,
}

#[derive(Default)]
pub(super) struct Counters {
    requests: AtomicU64,
    batches: AtomicU64,
    syncs: AtomicU64,
    commit_nanos: AtomicU64,
    sync_nanos: AtomicU64,
}

impl Counters {
    pub(super) fn batch(&self, requests: usize, took: Duration) {
        self.requests.fetch_add(requests as u64, Ordering::Relaxed);
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.commit_nanos.fetch_add(nanos(took), Ordering::Relaxed);
    }

    pub(super) fn sync(&self, took: Duration) {
        self.syncs.fetch_add(1, Ordering::Relaxed);
        self.sync_nanos.fetch_add(nanos(took), Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> WriteStats {
        WriteStats {
            requests: self.requests.load(Ordering::Relaxed),
            batches: self.batches.load(Ordering::Relaxed),
            syncs: self.syncs.load(Ordering::Relaxed),
            commit_time: Duration::from_nanos(self.commit_nanos.load(Ordering::Relaxed)),
            sync_time: Duration::from_nanos(self.sync_nanos.load(Ordering::Relaxed)),
        }
    }
}

fn nanos(took: Duration) -> u64 {
    u64::try_from(took.as_nanos()).unwrap_or(u64::MAX)
}
