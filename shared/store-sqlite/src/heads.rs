//! Stream heads (the version of each stream's last event), so the writer checks expected
//! versions without a query per append. Only the writer thread writes the log, so what it
//! remembers stays true; a miss falls back to one indexed query.

use crate::codec::to_u64;
use crate::connection::io;
use rusqlite::{Connection, OptionalExtension};
use servicedesk_store::{ExpectedVersion, StoreError};
/// Stream names are hashed on every append; SipHash's protection against crafted keys buys
/// nothing here (only the writer's own callers name streams) and costs measurable writer time.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Past this many streams the cache is dropped wholesale: cheaper than LRU bookkeeping, and a
/// miss costs one index lookup.
const CACHE_LIMIT: usize = 200_000;

#[derive(Default)]
pub(super) struct StreamHeads {
    committed: HashMap<String, u64>,
}

/// The heads as one batch sees them: its own appends first, then what was committed before.
/// Kept apart so a failed commit leaves the committed heads untouched.
pub(super) struct BatchHeads<'a> {
    committed: &'a StreamHeads,
    seen: HashMap<String, Option<u64>>,
}

impl StreamHeads {
    pub(super) fn batch(&self) -> BatchHeads<'_> {
        BatchHeads {
            committed: self,
            seen: HashMap::default(),
        }
    }

    /// Takes in what a batch learned and wrote, once its transaction has committed.
    pub(super) fn apply(&mut self, seen: HashMap<String, Option<u64>>) {
        self.committed
            .extend(seen.into_iter().filter_map(|(s, v)| v.map(|v| (s, v))));
        if self.committed.len() > CACHE_LIMIT {
            self.committed.clear();
        }
    }

    /// After a failed commit nothing cached can be trusted to match the file.
    pub(super) fn clear(&mut self) {
        self.committed.clear();
    }
}

impl BatchHeads<'_> {
    /// The stream's version inside the current transaction; None if it has no events.
    pub(super) fn current(
        &mut self,
        conn: &Connection,
        stream: &str,
    ) -> Result<Option<u64>, StoreError> {
        if let Some(version) = self.seen.get(stream) {
            return Ok(*version);
        }
        if let Some(version) = self.committed.committed.get(stream) {
            return Ok(Some(*version));
        }
        let version = query_head(conn, stream)?;
        self.seen.insert(stream.to_owned(), version);
        Ok(version)
    }

    /// Whether the stream's head is known without asking the database.
    pub(super) fn knows(&self, stream: &str) -> bool {
        self.seen.contains_key(stream) || self.committed.committed.contains_key(stream)
    }

    pub(super) fn set(&mut self, stream: &str, version: u64) {
        self.seen.insert(stream.to_owned(), Some(version));
    }

    pub(super) fn into_seen(self) -> HashMap<String, Option<u64>> {
        self.seen
    }
}

fn query_head(conn: &Connection, stream: &str) -> Result<Option<u64>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT max(version) FROM events WHERE stream = ?1")
        .map_err(io)?;
    let max: Option<Option<i64>> = stmt
        .query_row([stream], |row| row.get(0))
        .optional()
        .map_err(io)?;
    max.flatten().map(to_u64).transpose()
}

pub(super) fn check(
    stream: &str,
    expected: ExpectedVersion,
    current: Option<u64>,
) -> Result<(), StoreError> {
    expected.check(stream, current)
}
