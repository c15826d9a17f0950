//! The writer thread and its group commit: every append waiting in the queue when the writer
//! comes round goes into one transaction, so one fsync serves the whole batch.

use super::codec::{insert, micros, INSERT};
use super::connection::io;
use super::heads::{check, BatchHeads, StreamHeads};
use crate::{Appended, Clock, ExpectedVersion, NewEvent, Position, StoreError};
use rusqlite::{Connection, Statement, TransactionBehavior};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, watch};

/// Bounds on one batch, so a flood of appends still gets replies in bounded time and the
/// transaction's memory stays small.
const MAX_BATCH_REQUESTS: usize = 4096;
const MAX_BATCH_EVENTS: usize = 16_384;

pub(super) type Reply = oneshot::Sender<Result<Appended, StoreError>>;

pub(super) struct AppendRequest {
    pub(super) stream: String,
    pub(super) expected: ExpectedVersion,
    pub(super) events: Vec<NewEvent>,
    pub(super) reply: Reply,
}

pub(super) struct Writer {
    pub(super) conn: Connection,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) heads: StreamHeads,
    pub(super) last_position: Position,
    pub(super) head: watch::Sender<Position>,
}

/// Runs until every sender of `requests` is gone and the queue is empty.
pub(super) fn spawn(
    writer: Writer,
    requests: mpsc::Receiver<AppendRequest>,
) -> Result<JoinHandle<()>, StoreError> {
    std::thread::Builder::new()
        .name("event-store-writer".to_owned())
        .spawn(move || writer.run(requests))
        .map_err(io)
}

impl Writer {
    fn run(mut self, mut requests: mpsc::Receiver<AppendRequest>) {
        let mut batch = Vec::new();
        while let Some(first) = requests.blocking_recv() {
            let mut events = first.events.len();
            batch.push(first);
            while batch.len() < MAX_BATCH_REQUESTS && events < MAX_BATCH_EVENTS {
                let Ok(next) = requests.try_recv() else { break };
                events += next.events.len();
                batch.push(next);
            }
            self.commit(&mut batch);
        }
    }

    /// Writes, commits, publishes the new head, and only then replies: a caller never hears
    /// "done" for an event that is not durable.
    fn commit(&mut self, batch: &mut Vec<AppendRequest>) {
        let recorded_at = micros(self.clock.now());
        let mut heads = self.heads.batch();
        let mut outcomes = Vec::with_capacity(batch.len());
        let written = write_batch(
            &mut self.conn,
            &mut heads,
            batch,
            self.last_position,
            recorded_at,
            &mut outcomes,
        );
        match written {
            Ok(last_position) => {
                let seen = heads.into_seen();
                self.heads.apply(seen);
                if last_position != self.last_position {
                    self.last_position = last_position;
                    self.head.send_replace(last_position);
                }
                for (request, outcome) in batch.drain(..).zip(outcomes) {
                    // The caller may have given up waiting; its events are committed anyway.
                    let _ = request.reply.send(outcome);
                }
            }
            Err(error) => {
                tracing::error!(%error, requests = batch.len(), "event batch rolled back");
                self.heads.clear();
                for request in batch.drain(..) {
                    let _ = request.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// One transaction for the batch. Conflicts and invalid requests go into `outcomes` and the
/// rest of the batch carries on; any other error aborts (and rolls back) the whole batch.
/// Returns the position of the last event written.
fn write_batch(
    conn: &mut Connection,
    heads: &mut BatchHeads<'_>,
    batch: &[AppendRequest],
    mut position: Position,
    recorded_at: i64,
    outcomes: &mut Vec<Result<Appended, StoreError>>,
) -> Result<Position, StoreError> {
    // IMMEDIATE takes the write lock up front instead of upgrading mid-transaction.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(io)?;
    {
        let mut stmt = tx.prepare_cached(INSERT).map_err(io)?;
        for request in batch {
            let outcome = append_one(&tx, &mut stmt, heads, request, &mut position, recorded_at)?;
            outcomes.push(outcome);
        }
    }
    tx.commit().map_err(io)?;
    Ok(position)
}

/// The outer error aborts the batch; the inner one is this request's own answer. Everything
/// that can refuse a request is checked before its first insert, so a request is never
/// half-written.
fn append_one(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    heads: &mut BatchHeads<'_>,
    request: &AppendRequest,
    position: &mut Position,
    recorded_at: i64,
) -> Result<Result<Appended, StoreError>, StoreError> {
    if request.events.is_empty() {
        return Ok(Err(StoreError::Invalid("no events to append".to_owned())));
    }
    let current = heads.current(conn, &request.stream)?;
    if let Err(conflict) = check(&request.stream, request.expected, current) {
        return Ok(Err(conflict));
    }
    let Some(mut version) = current.map_or(Some(0), |v| v.checked_add(1)) else {
        return Ok(Err(StoreError::Invalid(
            "stream version overflow".to_owned(),
        )));
    };
    for event in &request.events {
        *position += 1;
        insert(
            stmt,
            *position,
            &request.stream,
            version,
            event,
            recorded_at,
        )?;
        version += 1;
    }
    let version = version - 1;
    heads.set(&request.stream, version);
    Ok(Ok(Appended {
        version,
        position: *position,
    }))
}
