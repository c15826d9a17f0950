//! Commands on one stream from this process run one at a time, so concurrent requests queue
//! instead of failing each other's expected-version checks. The expected version still guards
//! against writers in other processes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use tokio::sync::{Mutex, MutexGuard};

pub(crate) struct StreamLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for StreamLocks {
    fn default() -> Self {
        Self {
            stripes: (0..1024).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl StreamLocks {
    pub(crate) async fn lock(&self, stream: &str) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        stream.hash(&mut hasher);
        let index = (hasher.finish() % self.stripes.len() as u64) as usize;
        self.stripes[index].lock().await
    }
}
