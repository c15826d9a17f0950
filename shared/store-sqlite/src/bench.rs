//! The ceiling the store's benchmark is measured against: the same rows, schema and pragmas,
//! written by plain batched transactions on the calling thread with no queue, no version
//! checks and no replies. Every commit fsyncs (`synchronous=FULL`), as a durable store must.

use crate::codec::{insert, micros, INSERT};
use crate::connection::{io, last_position, open_writer, Synchronous};
use servicedesk_store::{NewEvent, StoreError};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Inserts `events` into a fresh log at `path`, `batch_size` per transaction, and returns the
/// time the inserts and commits took (opening the file is not counted).
pub fn raw_batched_inserts(
    path: &Path,
    events: &[(String, NewEvent)],
    batch_size: usize,
) -> Result<Duration, StoreError> {
    let mut conn = open_writer(path, Synchronous::Full)?;
    if last_position(&conn)? != 0 {
        return Err(StoreError::Invalid(format!(
            "{} already holds events",
            path.display()
        )));
    }
    let recorded_at = micros(chrono::Utc::now());
    let mut versions: HashMap<&str, u64> = HashMap::new();
    let mut position = 0;
    let started = Instant::now();
    for chunk in events.chunks(batch_size.max(1)) {
        let tx = conn.transaction().map_err(io)?;
        {
            let mut stmt = tx.prepare_cached(INSERT).map_err(io)?;
            for (stream, event) in chunk {
                let version = versions.entry(stream.as_str()).or_insert(0);
                position += 1;
                insert(&mut stmt, position, stream, *version, event, recorded_at)?;
                *version += 1;
            }
        }
        tx.commit().map_err(io)?;
    }
    Ok(started.elapsed())
}
