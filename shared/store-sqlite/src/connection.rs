//! Opening connections: the pragmas every connection to `events.db` needs, in one place, so the
//! store and the benchmark ceiling run under the same durability settings.

use rusqlite::{Connection, OpenFlags};
use servicedesk_store::StoreError;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SCHEMA: &str = include_str!("../migrations/0001_events.sql");

/// How long a connection waits for a lock before failing. Only the final `TRUNCATE` checkpoint
/// ever contends with the writer, briefly, so this is a safety net, not a queue.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) fn io(error: impl std::fmt::Display) -> StoreError {
    StoreError::Io(error.to_string())
}

/// WAL pages after which a commit also checkpoints (SQLite's default is 1000). Each
/// checkpoint costs the writer two fsyncs and rewrites every page the WAL touched; with many
/// streams each commit dirties one index leaf per stream, so the same hot pages recur and a
/// longer interval writes each of them once for more events. 10,000 pages (~40 MiB of WAL)
/// measured about 15-25% more appends/s than 1000 under 64 concurrent appenders (20,000
/// gained little more for twice the WAL).
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// When a commit on the read-write connection reaches the disk.
#[derive(Clone, Copy, Debug)]
pub(super) enum Synchronous {
    /// `synchronous=FULL`: every commit fsyncs the WAL before it returns.
    Full,
    /// `synchronous=NORMAL`: a commit only writes the WAL; whoever acknowledges it must fsync
    /// the WAL first (the store's syncer thread does). Checkpoints still fsync.
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

/// The read-write connection: creates the file and schema and switches to WAL.
///
/// Checkpoints stay SQLite's automatic ones, run by the writer after a commit once the WAL
/// passes [`WAL_AUTOCHECKPOINT_PAGES`]. Moving them to a background thread (`wal_autocheckpoint=0` plus
/// periodic PASSIVE checkpoints) measured about 2x slower under 64 concurrent appenders, and
/// the WAL grew without bound (650 MiB for 128k events): a PASSIVE checkpoint never catches
/// up with a busy writer, so the WAL never restarts from its beginning.
pub(super) fn open_writer(path: &Path, sync: Synchronous) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(io)?;
    stable_plans(&conn)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(io)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(io)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Io(format!(
            "journal_mode is {mode}, expected wal"
        )));
    }
    conn.pragma_update(None, "synchronous", sync.pragma())
        .map_err(io)?;
    conn.execute_batch(SCHEMA).map_err(io)?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .map_err(io)?;
    Ok(conn)
}

/// Query plans that never depend on bound values (SQLite's query planner stability guarantee).
///
/// Why: otherwise SQLite may look at a parameter's value while planning (a `LIMIT ?`, a range
/// on an indexed column) and then marks the statement to be compiled again whenever that
/// parameter is re-bound; rusqlite clears the bindings of every statement it returns to its
/// cache, so such a statement was compiled anew on every use, measured at a third of a
/// stream read's time. Our queries are written for their indexes and gain nothing from it.
pub(super) fn stable_plans(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
    .map_err(io)
}

/// SQLite's write-ahead log next to the database: `<path>-wal`.
pub(super) fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// A read-only connection; WAL lets it read a consistent snapshot while the writer commits.
pub(super) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(io)?;
    stable_plans(&conn)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(io)?;
    Ok(conn)
}

/// The last position in the log, 0 when empty.
pub(super) fn last_position(conn: &Connection) -> Result<u64, StoreError> {
    let max: Option<i64> = conn
        .query_row("SELECT max(position) FROM events", [], |row| row.get(0))
        .map_err(io)?;
    crate::codec::to_u64(max.unwrap_or(0))
}

/// Empties the WAL into the database file and truncates it, leaving one self-contained file.
/// Run at close, after the writer has stopped.
pub(super) fn truncate_wal(path: &Path) -> Result<(), StoreError> {
    let conn = Connection::open(path).map_err(io)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(io)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(io)?;
    // Columns: busy (1 if a reader or writer blocked it), WAL frames, frames checkpointed.
    let busy: i64 = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
        .map_err(io)?;
    if busy != 0 {
        tracing::warn!(path = %path.display(), "final WAL checkpoint was blocked by a reader");
    }
    Ok(())
}
