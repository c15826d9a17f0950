//! The writer thread and its group commit: every append waiting in the queue when the writer
//! comes round goes into one transaction. The commit does not wait for the disk: the batch
//! goes to the syncer (see `syncer`), which fsyncs and replies while the writer goes on with
//! the next batch.

use crate::codec::{insert, micros, INSERT};
use crate::connection::io;
use crate::heads::{check, BatchHeads, StreamHeads};
use crate::stats::Counters;
use crate::syncer::{Committed, Failed, SyncerHandle};
use rusqlite::{Connection, Statement, TransactionBehavior};
use servicedesk_store::{Appended, Clock, ExpectedVersion, Position, StoreError, StreamAppend};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// Bounds on one batch, so a flood of appends still gets replies in bounded time and the
/// transaction's memory stays small.
const MAX_BATCH_REQUESTS: usize = 4096;
const MAX_BATCH_EVENTS: usize = 16_384;

pub(super) type Reply = oneshot::Sender<Result<Vec<Appended>, StoreError>>;

/// One caller's append: one stream (`append`) or several written together (`append_many`).
pub(super) struct AppendRequest {
    pub(super) parts: Vec<StreamAppend>,
    pub(super) reply: Reply,
}

impl AppendRequest {
    fn event_count(&self) -> usize {
        self.parts.iter().map(|p| p.events.len()).sum()
    }
}

/// Everything the writer thread owns. The connection commits with `synchronous=NORMAL`;
/// durability is the syncer's job.
pub(super) struct Writer {
    pub(super) conn: Connection,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) heads: StreamHeads,
    pub(super) last_position: Position,
    pub(super) syncer: SyncerHandle,
    pub(super) failed: Failed,
    pub(super) stats: Arc<Counters>,
}

/// Runs until every sender of `requests` is gone, the queue is empty and the syncer has
/// answered every batch. Ends with an error if an fsync failed or the syncer panicked.
pub(super) fn spawn(
    writer: Writer,
    requests: mpsc::Receiver<AppendRequest>,
) -> Result<JoinHandle<Result<(), StoreError>>, StoreError> {
    std::thread::Builder::new()
        .name("event-store-writer".to_owned())
        .spawn(move || writer.run(requests))
        .map_err(io)
}

impl Writer {
    fn run(mut self, mut requests: mpsc::Receiver<AppendRequest>) -> Result<(), StoreError> {
        let mut batch = Vec::new();
        while let Some(first) = requests.blocking_recv() {
            let mut events = first.event_count();
            batch.push(first);
            while batch.len() < MAX_BATCH_REQUESTS && events < MAX_BATCH_EVENTS {
                let Ok(next) = requests.try_recv() else { break };
                events += next.event_count();
                batch.push(next);
            }
            let started = Instant::now();
            let taken = batch.len();
            if self.failed.is_set() {
                for request in batch.drain(..) {
                    let _ = request.reply.send(Err(Failed::error()));
                }
            } else {
                self.commit(&mut batch);
            }
            self.stats.batch(taken, started.elapsed());
        }
        // The connection outlives the syncer, so SQLite never closes (and deletes) the WAL
        // while the syncer may still fsync it.
        let Self { conn, syncer, .. } = self;
        let finished = syncer.finish();
        drop(conn);
        finished
    }

    /// Writes and commits, then hands the replies to the syncer: a caller never hears "done"
    /// (nor "conflict", which may rest on a commit not yet durable) before the fsync.
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
                self.last_position = last_position;
                let replies = batch.drain(..).map(|r| r.reply).zip(outcomes).collect();
                self.syncer.hand_over(Committed {
                    replies,
                    last_position,
                });
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
    outcomes: &mut Vec<Result<Vec<Appended>, StoreError>>,
) -> Result<Position, StoreError> {
    // IMMEDIATE takes the write lock up front instead of upgrading mid-transaction.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(io)?;
    {
        let mut stmt = tx.prepare_cached(INSERT).map_err(io)?;
        for request in batch {
            let outcome = match request.parts.as_slice() {
                [one] => append_one(&tx, &mut stmt, heads, one, &mut position, recorded_at)?
                    .map(|appended| vec![appended]),
                parts => append_parts(&tx, &mut stmt, heads, parts, &mut position, recorded_at)?,
            };
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
    request: &StreamAppend,
    position: &mut Position,
    recorded_at: i64,
) -> Result<Result<Appended, StoreError>, StoreError> {
    if request.events.is_empty() {
        return Ok(Err(StoreError::Invalid("no events to append".to_owned())));
    }
    // Creating a stream nobody has seen (a new incident) needs no lookup: the unique
    // (stream, version) key refuses version 0 of an existing stream, which is the conflict.
    let optimistic = request.expected == ExpectedVersion::NoStream && !heads.knows(&request.stream);
    let current = if optimistic {
        None
    } else {
        heads.current(conn, &request.stream)?
    };
    if let Err(conflict) = check(&request.stream, request.expected, current) {
        return Ok(Err(conflict));
    }
    let Some(mut version) = current.map_or(Some(0), |v| v.checked_add(1)) else {
        return Ok(Err(StoreError::Invalid(
            "stream version overflow".to_owned(),
        )));
    };
    for (index, event) in request.events.iter().enumerate() {
        *position += 1;
        match insert(
            stmt,
            *position,
            &request.stream,
            version,
            event,
            recorded_at,
        ) {
            Ok(()) => {}
            // The failed statement rolled back alone; the batch's transaction goes on.
            Err(StoreError::Conflict { .. }) if optimistic && index == 0 => {
                *position -= 1;
                let actual = heads.current(conn, &request.stream)?;
                return Ok(Err(
                    match check(&request.stream, request.expected, actual) {
                        Err(conflict) => conflict,
                        // The key said the stream exists, yet it has no head: the file changed
                        // under the writer, which only this thread may do.
                        Ok(()) => {
                            StoreError::Io("unique key refused a stream without events".to_owned())
                        }
                    },
                ));
            }
            Err(other) => return Err(other),
        }
        version += 1;
    }
    let version = version - 1;
    heads.set(&request.stream, version);
    Ok(Ok(Appended {
        version,
        position: *position,
    }))
}

/// Several streams, all or nothing: every part is checked (each against the stream as the
/// earlier parts leave it) before the first insert, so a refusal writes nothing. No
/// optimistic shortcut here: a key violation after earlier parts were inserted could not be
/// undone without a savepoint per request.
fn append_parts(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    heads: &mut BatchHeads<'_>,
    parts: &[StreamAppend],
    position: &mut Position,
    recorded_at: i64,
) -> Result<Result<Vec<Appended>, StoreError>, StoreError> {
    let mut planned: Vec<(&str, u64)> = Vec::with_capacity(parts.len());
    for part in parts {
        let current = match planned.iter().rev().find(|(s, _)| *s == part.stream) {
            Some((_, last)) => Some(*last),
            None => heads.current(conn, &part.stream)?,
        };
        if let Err(conflict) = check(&part.stream, part.expected, current) {
            return Ok(Err(conflict));
        }
        let first = current.map_or(Some(0), |v| v.checked_add(1));
        let Some(last) = first.and_then(|f| f.checked_add(part.events.len() as u64 - 1)) else {
            return Ok(Err(StoreError::Invalid(
                "stream version overflow".to_owned(),
            )));
        };
        planned.push((&part.stream, last));
    }
    let mut appended = Vec::with_capacity(parts.len());
    for (part, (_, last)) in parts.iter().zip(&planned) {
        let first = *last + 1 - part.events.len() as u64;
        for (version, event) in (first..).zip(&part.events) {
            *position += 1;
            // Checked above and only this thread writes: a refusal now means the file changed
            // under the writer, and the whole batch rolls back.
            insert(stmt, *position, &part.stream, version, event, recorded_at).map_err(
                |e| match e {
                    StoreError::Conflict { .. } => {
                        StoreError::Io("unique key refused a checked append".to_owned())
                    }
                    other => other,
                },
            )?;
        }
        heads.set(&part.stream, *last);
        appended.push(Appended {
            version: *last,
            position: *position,
        });
    }
    Ok(Ok(appended))
}
