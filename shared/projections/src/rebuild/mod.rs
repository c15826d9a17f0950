//! Rebuilding the read models from the whole log, in three stages that run side by side: the
//! store reads batches of the log, `replay` decodes and folds each into rows, `writer` inserts
//! them. Indexes are created once all rows are in, which is several times faster than
//! maintaining them row by row.

mod replay;
mod scratch;
#[cfg(test)]
mod tests;
mod writer;

use crate::registry::{ReadModel, READ_MODELS};
use crate::{incidents, ProjectionError};
use replay::Item;
use rusqlite::Connection;
use scratch::Scratch;
use servicedesk_store::{EventStore, Position, RecordedEvent};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{channel, Receiver, Sender};

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
    rebuild_in_batches(store, target, BATCH).await
}

/// A batch of the log, replayed.
struct Replayed {
    items: Vec<Item>,
    /// Events of the other read models, applied as the live path does.
    others: Vec<RecordedEvent>,
    events: u64,
    last: Option<Position>,
}

pub(crate) async fn rebuild_in_batches(
    store: Arc<dyn EventStore>,
    target: &Path,
    batch: usize,
) -> Result<RebuildReport, ProjectionError> {
    let started = Instant::now();
    let (scratch, conn) = Scratch::create(target)?;
    // Two batches in flight between stages keep each busy while the next one waits.
    let (log_tx, log_rx) = channel(2);
    let (replayed_tx, replayed_rx) = channel(2);
    let reader = tokio::spawn(read(store, batch, log_tx));
    let replayer = tokio::task::spawn_blocking(move || replay_all(log_rx, replayed_tx));
    let writer = tokio::task::spawn_blocking(move || write_all(conn, replayed_rx));
    // Each stage stops quietly when the next one is gone, so the one that failed reports why;
    // a stage that ended early leaves the later ones with a short log, never a swapped file.
    let written = joined(writer.await);
    let replayed = joined(replayer.await);
    let read = joined(reader.await);
    let (conn, events, position) = written?;
    replayed?;
    read?;
    tracing::info!(
        events,
        seconds = started.elapsed().as_secs_f64(),
        "rebuild: rows loaded"
    );

    tokio::task::spawn_blocking(move || scratch.finish(conn, position))
        .await
        .map_err(|e| ProjectionError::Worker(e.to_string()))??;
    Ok(RebuildReport {
        events,
        position,
        elapsed: started.elapsed(),
    })
}

/// Every read model but the incidents, which the replay and writer stages build in bulk.
fn others() -> impl Iterator<Item = &'static ReadModel> {
    READ_MODELS
        .iter()
        .filter(|m| m.name != incidents::PROJECTION)
}

fn joined<T>(
    result: Result<Result<T, ProjectionError>, tokio::task::JoinError>,
) -> Result<T, ProjectionError> {
    result.map_err(|e| ProjectionError::Worker(e.to_string()))?
}

async fn read(
    store: Arc<dyn EventStore>,
    batch: usize,
    out: Sender<Vec<RecordedEvent>>,
) -> Result<(), ProjectionError> {
    let mut after = 0;
    // Start small so the later stages get to work at once, then grow to the full batch.
    let mut size = batch.min(1_000);
    loop {
        let events = store.read_all(after, size).await?;
        size = (size * 2).min(batch);
        let Some(last) = events.last() else {
            return Ok(());
        };
        after = last.position;
        if out.send(events).await.is_err() {
            return Ok(());
        }
    }
}

fn replay_all(
    mut input: Receiver<Vec<RecordedEvent>>,
    out: Sender<Replayed>,
) -> Result<(), ProjectionError> {
    let mut busy = Duration::ZERO;
    while let Some(events) = input.blocking_recv() {
        let began = Instant::now();
        let replayed = Replayed {
            items: replay::replay(&events)?,
            others: events
                .iter()
                .filter(|e| others().any(|m| (m.concerns)(e)))
                .cloned()
                .collect(),
            events: events.len() as u64,
            last: events.last().map(|e| e.position),
        };
        busy += began.elapsed();
        if out.blocking_send(replayed).is_err() {
            return Ok(());
        }
    }
    tracing::info!(busy = busy.as_secs_f64(), "rebuild: replay stage");
    Ok(())
}

fn write_all(
    mut conn: Connection,
    mut input: Receiver<Replayed>,
) -> Result<(Connection, u64, Position), ProjectionError> {
    let mut events = 0;
    let mut position = 0;
    let mut busy = Duration::ZERO;
    while let Some(batch) = input.blocking_recv() {
        let began = Instant::now();
        let tx = conn.transaction()?;
        writer::write(&tx, &batch.items)?;
        for model in others() {
            (model.apply)(&tx, &batch.others)?;
        }
        tx.commit()?;
        events += batch.events;
        position = batch.last.unwrap_or(position);
        busy += began.elapsed();
    }
    tracing::info!(busy = busy.as_secs_f64(), "rebuild: writer stage");
    Ok((conn, events, position))
}
