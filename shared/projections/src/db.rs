use crate::ProjectionError;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Bump when the read-model tables change shape: a file with another version is rebuilt from
/// the log at start-up instead of being migrated.
pub const READ_MODEL_SCHEMA_VERSION: i64 = 16;

const TABLES: &str = include_str!("../../../migrations/0002_read_models.sql");
pub(crate) const INDEXES: &str = include_str!("../../../migrations/0003_read_model_indexes.sql");

/// The read-model database file: one writer (the projection runner), a pool of readers.
#[derive(Clone)]
pub struct ReadModelDb {
    path: PathBuf,
    readers: Arc<Mutex<Vec<Connection>>>,
}

impl ReadModelDb {
    /// Opens (creating if needed) and reports whether the file's schema version is current.
    pub fn open(path: &Path) -> Result<(Self, bool), ProjectionError> {
        let conn = Self::open_writer(path)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let is_fresh = version == 0;
        if is_fresh {
            create_schema(&conn, true)?;
        }
        let current = is_fresh || version == READ_MODEL_SCHEMA_VERSION;
        drop(conn);
        Ok((
            Self {
                path: path.to_owned(),
                readers: Arc::default(),
            },
            current,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn open_writer(path: &Path) -> Result<Connection, ProjectionError> {
        let conn = Connection::open(path)?;
        stable_plans(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // The read model is rebuilt from the durable log after a crash; it need not fsync.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }

    /// Runs `f` on a pooled read-only connection.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ProjectionError>,
    ) -> Result<T, ProjectionError> {
        let pooled = self.readers.lock().ok().and_then(|mut pool| pool.pop());
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.pragma_update(None, "cache_size", -16384)?;
                stable_plans(&conn)?;
                conn
            }
        };
        let result = f(&conn);
        if let Ok(mut pool) = self.readers.lock() {
            if pool.len() < 16 {
                pool.push(conn);
            }
        }
        result
    }

    /// Forgets pooled readers (after the file was replaced by a rebuild).
    pub fn reset_readers(&self) {
        if let Ok(mut pool) = self.readers.lock() {
            pool.clear();
        }
    }
}

/// Query plans that never depend on bound values, so that cached statements are not compiled
/// again after each use (see the store's `connection::stable_plans` for why).
pub(crate) fn stable_plans(conn: &Connection) -> Result<(), ProjectionError> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

pub(crate) fn create_schema(conn: &Connection, with_indexes: bool) -> Result<(), ProjectionError> {
    conn.execute_batch(TABLES)?;
    if with_indexes {
        conn.execute_batch(INDEXES)?;
    }
    conn.pragma_update(None, "user_version", READ_MODEL_SCHEMA_VERSION)?;
    Ok(())
}

pub(crate) fn checkpoint(conn: &Connection, projection: &str) -> Result<u64, ProjectionError> {
    let position: Option<i64> = conn
        .query_row(
            "SELECT position FROM checkpoints WHERE projection = ?1",
            [projection],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(other),
        })?;
    Ok(position.unwrap_or(0).max(0) as u64)
}

pub(crate) fn save_checkpoint(
    conn: &Connection,
    projection: &str,
    position: u64,
) -> Result<(), ProjectionError> {
    conn.prepare_cached(
        "INSERT INTO checkpoints (projection, position) VALUES (?1, ?2)
         ON CONFLICT (projection) DO UPDATE SET position = excluded.position",
    )?
    .execute(rusqlite::params![projection, position as i64])?;
    Ok(())
}

/// The stored position of a log follower that is not a projection (a reactor), in its own
/// small file beside the read models (`followers.db`), so rebuilding the read models does not
/// send reactors back to the start. Written after the follower acted on the events up to it.
pub struct FollowerCheckpoint {
    conn: Connection,
    name: String,
}

impl FollowerCheckpoint {
    pub fn open(db: &ReadModelDb, name: &str) -> Result<Self, ProjectionError> {
        let conn = ReadModelDb::open_writer(&db.path().with_file_name("followers.db"))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID",
        )?;
        Ok(Self {
            conn,
            name: name.to_owned(),
        })
    }

    pub fn load(&self) -> Result<u64, ProjectionError> {
        checkpoint(&self.conn, &self.name)
    }

    pub fn save(&self, position: u64) -> Result<(), ProjectionError> {
        save_checkpoint(&self.conn, &self.name, position)
    }
}
