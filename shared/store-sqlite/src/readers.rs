//! A few read-only connections, reused across reads. WAL lets each read a committed snapshot
//! while the writer keeps committing, so reads never queue behind appends.

use crate::codec::{decode, COLUMNS};
use crate::connection::{io, open_reader};
use rusqlite::{Connection, Params};
use servicedesk_store::{Position, RecordedEvent, StoreError};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Connections kept idle between reads; bursts beyond this open (and then drop) extra ones.
/// Opening one costs a schema parse and fresh statements, so bursts of concurrent reads (the
/// alarm ingestor loading alarms, the reactor's concurrent hosts) should find one waiting.
const MAX_IDLE: usize = 32;

pub(super) struct ReaderPool {
    path: PathBuf,
    /// None once the store is closed.
    idle: Mutex<Option<Vec<Connection>>>,
}

impl ReaderPool {
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Some(Vec::new())),
        }
    }

    /// Drops the idle connections and refuses further reads.
    pub(super) fn close(&self) {
        self.lock().take();
    }

    /// Reads see the writer's commits at once, but only events up to `head` (the durable
    /// head the syncer published) are returned: the rest could still vanish in a power loss.
    pub(super) fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        max: usize,
        head: Position,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE stream = ?1 AND version >= ?2 \
             AND position <= ?3 ORDER BY version LIMIT ?4"
        );
        let params = (stream, clamp(from_version), clamp(head), clamp(max as u64));
        self.query(&sql, params, max)
    }

    pub(super) fn read_all(
        &self,
        after: Position,
        max: usize,
        head: Position,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE position > ?1 AND position <= ?2 \
             ORDER BY position LIMIT ?3"
        );
        self.query(&sql, (clamp(after), clamp(head), clamp(max as u64)), max)
    }

    fn query(
        &self,
        sql: &str,
        params: impl Params,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let conn = self.take()?;
        let result = run_query(&conn, sql, params, max);
        self.give_back(conn);
        result
    }

    fn take(&self) -> Result<Connection, StoreError> {
        match self.lock().as_mut() {
            None => Err(StoreError::Closed),
            Some(idle) => match idle.pop() {
                Some(conn) => Ok(conn),
                None => open_reader(&self.path),
            },
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Some(idle) = self.lock().as_mut() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Vec<Connection>>> {
        // The guarded Vec is valid whatever a panicking holder was doing.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn run_query(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    max: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(io)?;
    let mut rows = stmt.query(params).map_err(io)?;
    let mut events = Vec::with_capacity(max.min(1024));
    while let Some(row) = rows.next().map_err(io)? {
        events.push(decode(row)?);
    }
    Ok(events)
}

/// Past i64::MAX nothing can match anyway, so the bound saturates instead of failing.
fn clamp(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
