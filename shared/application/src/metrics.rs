//! Counters of the write path, read by the HTTP layer's `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct WriteMetrics {
    pub appends: AtomicU64,
    pub appended_events: AtomicU64,
    pub append_conflicts: AtomicU64,
}

impl WriteMetrics {
    pub(crate) fn appended(&self, events: usize) {
        self.appends.fetch_add(1, Ordering::Relaxed);
        self.appended_events
            .fetch_add(events as u64, Ordering::Relaxed);
    }

    pub(crate) fn conflicted(&self) {
        self.append_conflicts.fetch_add(1, Ordering::Relaxed);
    }
}
