use crate::db::{create_schema, save_checkpoint, INDEXES};
use crate::{incidents, ProjectionError};
use rusqlite::Connection;
use servicedesk_store::{EventStore, Position, RecordedEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct RebuildReport {
    pub events: u64,
    pub position: Position,
    pub elapsed: Duration,
}

const BATCH: usize = 20_000;

/// Rebuilds the read models from the whole log into a new file and swaps it in place of
/// `target`. The old file is untouched until the new one is complete; nothing may have the
/// target open for writing meanwhile.
pub async fn rebuild(
    store: Arc<dyn EventStore>,
    target: &Path,
) -> Result<RebuildReport, ProjectionError> {
    let started = Instant::now();
    let scratch = with_suffix(target, ".rebuild");
    remove_db_files(&scratch)?;
    let mut conn = Connection::open(&scratch)?;
    // A crash mid-rebuild leaves only the scratch file, which the next rebuild deletes.
    conn.pragma_update(None, "journal_mode", "OFF")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "cache_size", -262144)?;
    create_schema(&conn, false)?;

    // Read the next batch while the current one is applied: two cores, two stages.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<RecordedEvent>, ProjectionError>>(2);
    let reader = tokio::spawn(async move {
        let mut after = 0;
        loop {
            let batch = store
                .read_all(after, BATCH)
                .await
                .map_err(ProjectionError::from);
            let done = match &batch {
                Ok(events) => match events.last() {
                    Some(last) => {
                        after = last.position;
                        false
                    }
                    None => true,
                },
                Err(_) => true,
            };
            if done {
                if batch.is_err() {
                    let _ = tx.send(batch).await;
                }
                return;
            }
            if tx.send(batch).await.is_err() {
                return;
            }
        }
    });

    let mut events = 0u64;
    let mut position = 0;
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        events += batch.len() as u64;
        position = batch.last().map_or(position, |e| e.position);
        conn = tokio::task::spawn_blocking(move || -> Result<Connection, ProjectionError> {
            let tx = conn.transaction()?;
            incidents::apply(&tx, &batch)?;
            tx.commit()?;
            Ok(conn)
        })
        .await
        .map_err(|e| ProjectionError::Worker(e.to_string()))??;
    }
    reader
        .await
        .map_err(|e| ProjectionError::Worker(e.to_string()))?;

    let target = target.to_owned();
    tokio::task::spawn_blocking(move || -> Result<(), ProjectionError> {
        conn.execute_batch(INDEXES)?;
        save_checkpoint(&conn, incidents::PROJECTION, position)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.execute_batch("ANALYZE")?;
        drop(conn);
        std::fs::File::open(&scratch)
            .and_then(|f| f.sync_all())
            .map_err(|e| ProjectionError::Worker(e.to_string()))?;
        remove_db_files(&target)?;
        std::fs::rename(&scratch, &target).map_err(|e| ProjectionError::Worker(e.to_string()))?;
        Ok(())
    })
    .await
    .map_err(|e| ProjectionError::Worker(e.to_string()))??;

    Ok(RebuildReport {
        events,
        position,
        elapsed: started.elapsed(),
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Removes a database file with its WAL and shared-memory companions: a stale WAL beside a new
/// file would be replayed into it.
fn remove_db_files(path: &Path) -> Result<(), ProjectionError> {
    for candidate in [
        path.to_owned(),
        with_suffix(path, "-wal"),
        with_suffix(path, "-shm"),
    ] {
        match std::fs::remove_file(&candidate) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ProjectionError::Worker(format!(
                    "{}: {e}",
                    candidate.display()
                )))
            }
        }
    }
    Ok(())
}
