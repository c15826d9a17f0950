use crate::db::{checkpoint, save_checkpoint, ReadModelDb};
use crate::integrations::Integrations;
use crate::problems::Problems;
use crate::{alarms, incidents, row_per_aggregate, ProjectionError};
use rusqlite::Connection;
use servicedesk_store::{EventStore, Position, Subscription};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How far the read models have got; handlers wait on it for read-your-writes.
#[derive(Clone)]
pub struct ProjectionHandle {
    position: watch::Receiver<Position>,
}

impl ProjectionHandle {
    pub fn position(&self) -> Position {
        *self.position.borrow()
    }

    /// Waits until the read models include `position`; false when `timeout` passed first.
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> bool {
        let mut rx = self.position.clone();
        tokio::time::timeout(timeout, rx.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// Follows the log from the stored checkpoint and keeps the read models current.
pub struct ProjectionRunner {
    store: Arc<dyn EventStore>,
    db: ReadModelDb,
    published: watch::Sender<Position>,
    stop: watch::Receiver<bool>,
}

const BATCH: usize = 5_000;

/// The shortest time between two commits while events keep coming. Each commit writes every
/// page it touched to the WAL again; under a stream of alarm repeats, committing every few
/// events rewrote the same alarm pages hundreds of times a second. A batch that finds the log
/// quiet is still applied at once; only a busy log waits up to this long to gather more.
const MIN_COMMIT_INTERVAL: Duration = Duration::from_millis(5);

impl ProjectionRunner {
    /// Starts following in a task; set `stop` to true to end it between batches.
    pub fn start(
        store: Arc<dyn EventStore>,
        db: ReadModelDb,
        stop: watch::Receiver<bool>,
    ) -> Result<(ProjectionHandle, JoinHandle<()>), ProjectionError> {
        let conn = ReadModelDb::open_writer(db.path())?;
        let start = checkpoint(&conn, incidents::PROJECTION)?;
        let (published, position) = watch::channel(start);
        let runner = Self {
            store,
            db,
            published,
            stop,
        };
        let task = tokio::spawn(runner.supervise(conn, start));
        Ok((ProjectionHandle { position }, task))
    }

    /// Restarts the follower after a failure from the last committed checkpoint.
    async fn supervise(mut self, conn: Connection, start: Position) {
        let mut conn = Some(conn);
        let mut from = start;
        loop {
            let writer = match conn.take() {
                Some(c) => c,
                None => match ReadModelDb::open_writer(self.db.path()) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot open read model; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                },
            };
            match self.follow(writer, from).await {
                Ok(()) => return,
                Err((e, at)) => {
                    tracing::error!(error = %e, position = at, "projection failed; restarting from checkpoint");
                    from = at;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    async fn follow(
        &mut self,
        conn: Connection,
        from: Position,
    ) -> Result<(), (ProjectionError, Position)> {
        let mut subscription = Subscription::new(self.store.clone(), from, BATCH);
        let mut conn = Some(conn);
        let mut last_commit: Option<tokio::time::Instant> = None;
        loop {
            if let Some(at) = last_commit {
                tokio::time::sleep_until(at + MIN_COMMIT_INTERVAL).await;
            }
            let at = subscription.position();
            let events = tokio::select! {
                biased;
                _ = self.stop.wait_for(|stop| *stop) => return Ok(()),
                batch = subscription.next_batch() => batch.map_err(|e| (e.into(), at))?,
            };
            let Some(last) = events.last().map(|e| e.position) else {
                continue;
            };
            // A full batch means more is waiting: no pause before the next one.
            last_commit = (events.len() < BATCH).then(tokio::time::Instant::now);
            let Some(mut writer) = conn.take() else {
                return Err((ProjectionError::Worker("connection lost".into()), at));
            };
            let (writer, result) = tokio::task::spawn_blocking(move || {
                let result = apply_batch(&mut writer, &events, last);
                (writer, result)
            })
            .await
            .map_err(|e| (ProjectionError::Worker(e.to_string()), at))?;
            conn = Some(writer);
            result.map_err(|e| (e, at))?;
            self.published.send_replace(last);
        }
    }
}

/// The transaction takes the write lock at its start (IMMEDIATE), so that it waits for the
/// repeat counts' commit (see `alarm_repeats`) instead of failing when it tries to upgrade.
pub(crate) fn apply_batch(
    conn: &mut Connection,
    events: &[servicedesk_store::RecordedEvent],
    last: Position,
) -> Result<(), ProjectionError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    incidents::apply(&tx, events)?;
    row_per_aggregate::apply::<Integrations>(&tx, events)?;
    alarms::apply(&tx, events)?;
    row_per_aggregate::apply::<Problems>(&tx, events)?;
    save_checkpoint(&tx, incidents::PROJECTION, last)?;
    tx.commit()?;
    Ok(())
}
