//! Group commit: one task per instance takes every append waiting and writes them in one
//! transaction. The transaction first locks the single `log_head` row, so appenders of every
//! instance take turns, positions are handed out in commit order, and the versions it reads
//! under the lock are the streams' real heads. A request whose expected version fails is
//! refused alone; the rest of the batch commits.

use crate::codec::to_u64;
use crate::connect::connect;
use crate::errors::{describe, is_unavailable};
use crate::heads::CHANNEL;
use crate::plan::{plan, streams_of, Plan};
use servicedesk_store::{advance_head, Appended, Clock, Position, StoreError, StreamAppend};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_postgres::{Client, Config, Statement};

/// Events in one transaction at most; more wait for the next.
const MAX_BATCH_EVENTS: usize = 20_000;
/// How long an ambiguous commit (the connection failed while committing) is looked up for.
const PROBE_FOR: Duration = Duration::from_secs(10);

pub(crate) type Answer = Result<Vec<Appended>, StoreError>;

pub(crate) struct AppendRequest {
    pub parts: Vec<StreamAppend>,
    pub reply: oneshot::Sender<Answer>,
}

/// How the writer has grouped appends so far (for benchmarks and operators).
#[derive(Debug, Default)]
pub struct WriteCounters {
    pub requests: std::sync::atomic::AtomicU64,
    pub transactions: std::sync::atomic::AtomicU64,
    pub events: std::sync::atomic::AtomicU64,
    pub busy_micros: std::sync::atomic::AtomicU64,
}

pub(crate) struct Writer {
    pub counters: Arc<WriteCounters>,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub head: Arc<watch::Sender<Position>>,
    pub conn: Option<WriterConn>,
}

pub(crate) struct WriterConn {
    client: Client,
    lock_head: Statement,
    versions: Statement,
    insert: Statement,
}

impl WriterConn {
    pub(crate) async fn open(config: &Config) -> Result<Self, StoreError> {
        let client = connect(config).await?;
        let prepare = |sql: String| {
            let client = &client;
            async move {
                client
                    .prepare(&sql)
                    .await
                    .map_err(crate::errors::store_error)
            }
        };
        let lock_head = prepare("SELECT position FROM log_head FOR UPDATE".to_owned()).await?;
        let versions = prepare(
            "SELECT s.stream, (SELECT max(e.version) FROM events e WHERE e.stream = s.stream) \
             FROM unnest($1::text[]) AS s(stream)"
                .to_owned(),
        )
        .await?;
        let insert = prepare(format!(
            "WITH written AS (
                INSERT INTO events (position, stream, version, event_id, event_type,
                    schema_version, occurred_at, recorded_at, actor, correlation_id,
                    causation_id, data)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[],
                    $5::text[], $6::bigint[], $7::timestamptz[], $8::timestamptz[], $9::text[],
                    $10::uuid[], $11::uuid[], $12::text[])
            )
            UPDATE log_head SET position = $13::bigint
            RETURNING pg_notify('{CHANNEL}', $13::bigint::text)"
        ))
        .await?;
        Ok(Self {
            client,
            lock_head,
            versions,
            insert,
        })
    }
}

/// A failed batch, and whether its commit had been sent (then it may have committed).
struct Failure {
    error: StoreError,
    sent_commit: Option<Plan>,
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        crate::errors::store_error(e).into()
    }
}

/// A failure before the commit was sent: nothing was written.
impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Self {
            error,
            sent_commit: None,
        }
    }
}

impl Writer {
    /// Runs until every sender is gone, answering each request once.
    pub(crate) async fn run(mut self, mut queue: mpsc::Receiver<AppendRequest>) {
        while let Some(first) = queue.recv().await {
            let mut events = event_count(&first);
            let mut batch = vec![first];
            while events < MAX_BATCH_EVENTS {
                let Ok(next) = queue.try_recv() else { break };
                events += event_count(&next);
                batch.push(next);
            }
            let started = std::time::Instant::now();
            let answers = self.write(&batch).await;
            let relaxed = std::sync::atomic::Ordering::Relaxed;
            self.counters
                .requests
                .fetch_add(batch.len() as u64, relaxed);
            self.counters.transactions.fetch_add(1, relaxed);
            self.counters.events.fetch_add(events as u64, relaxed);
            self.counters
                .busy_micros
                .fetch_add(started.elapsed().as_micros() as u64, relaxed);
            for (request, answer) in batch.into_iter().zip(answers) {
                let _ = request.reply.send(answer);
            }
        }
    }

    async fn write(&mut self, batch: &[AppendRequest]) -> Vec<Answer> {
        let refuse_all = |error: StoreError| batch.iter().map(|_| Err(error.clone())).collect();
        if self.conn.is_none() {
            match WriterConn::open(&self.config).await {
                Ok(conn) => self.conn = Some(conn),
                Err(error) => return refuse_all(error),
            }
        }
        let Some(conn) = self.conn.as_mut() else {
            return refuse_all(StoreError::Unavailable("no connection".to_owned()));
        };
        let now = self.clock.now();
        match attempt(conn, batch, now).await {
            Ok(plan) => {
                advance_head(&self.head, plan.head);
                plan.answers
            }
            Err(failure) => {
                // After any failure the connection may be mid-transaction or gone: start over.
                self.conn = None;
                match failure.sent_commit {
                    Some(plan) => match self.probe(&plan).await {
                        Ok(true) => {
                            advance_head(&self.head, plan.head);
                            plan.answers
                        }
                        Ok(false) => refuse_all(failure.error),
                        Err(unknown) => refuse_all(StoreError::Unavailable(format!(
                            "the connection failed while committing and the outcome could not \
                             be checked ({unknown}); the append may have been written"
                        ))),
                    },
                    None => refuse_all(failure.error),
                }
            }
        }
    }

    /// After a commit whose answer was lost: did it land? Its last row's position holds its
    /// own event id if so (positions are unique, and nobody else could have taken it without
    /// this transaction having rolled back first).
    async fn probe(&self, plan: &Plan) -> Result<bool, String> {
        let (Some(position), Some(event_id)) =
            (plan.rows.position.last(), plan.rows.event_id.last())
        else {
            return Ok(false);
        };
        let deadline = tokio::time::Instant::now() + PROBE_FOR;
        loop {
            let found = async {
                let client = connect(&self.config).await.map_err(|e| e.to_string())?;
                client
                    .query_opt(
                        "SELECT event_id FROM events WHERE position = $1",
                        &[position],
                    )
                    .await
                    .map_err(|e| describe(&e))
            }
            .await;
            match found {
                Ok(row) => return Ok(row.map(|r| r.get::<_, uuid::Uuid>(0)) == Some(*event_id)),
                Err(e) if tokio::time::Instant::now() > deadline => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

async fn attempt(
    conn: &mut WriterConn,
    batch: &[AppendRequest],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Plan, Failure> {
    let WriterConn {
        client,
        lock_head,
        versions,
        insert,
    } = conn;
    let streams = streams_of(batch.iter().map(|r| r.parts.as_slice()));
    let txn = client.transaction().await?;
    // Pipelined: the server runs them in order, so the versions are read under the lock.
    let stream_param: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&streams];
    let (head, rows) = tokio::try_join!(
        txn.query_one(&*lock_head, &[]),
        txn.query(&*versions, &stream_param)
    )?;
    let head = to_u64(head.get(0))?;
    let mut current = HashMap::with_capacity(rows.len());
    for row in rows {
        let version: Option<i64> = row.get(1);
        let version = version.map(to_u64).transpose()?;
        current.insert(row.get::<_, String>(0), version);
    }
    let plan = plan(batch.iter().map(|r| r.parts.as_slice()), current, head, now)?;
    if plan.rows.len() == 0 {
        txn.rollback().await?;
        return Ok(plan);
    }
    let head = crate::codec::to_i64(plan.head)?;
    let mut params = plan.rows.params().to_vec();
    params.push(&head);
    txn.query(&*insert, &params).await?;
    match txn.commit().await {
        Ok(()) => Ok(plan),
        Err(e) if is_unavailable(&e) => Err(Failure {
            error: crate::errors::store_error(e),
            sent_commit: Some(plan),
        }),
        Err(e) => Err(e.into()),
    }
}

fn event_count(request: &AppendRequest) -> usize {
    request.parts.iter().map(|p| p.events.len()).sum()
}
