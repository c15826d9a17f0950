use crate::db::{checkpoint, save_checkpoint, ReadModelDb};
use crate::integrations::Integrations;
use crate::registry::{apply_main, Projection, MAIN};
use crate::ProjectionError;
use rusqlite::Connection;
use servicedesk_store::{follow, EventStore, FollowOptions, Follower, Position, RecordedEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How far the read models have got; handlers wait on it for read-your-writes.
#[derive(Clone)]
pub struct ProjectionHandle {
    position: watch::Receiver<Position>,
    integration_changes: Arc<AtomicU64>,
}

impl ProjectionHandle {
    pub fn position(&self) -> Position {
        *self.position.borrow()
    }

    /// Counts the batches that changed an integration: a cache of integrations is good while
    /// this stays the same. It moves after the change is committed and before the position
    /// that includes it is published, so a read-your-writes wait sees it moved.
    pub fn integration_changes(&self) -> u64 {
        self.integration_changes.load(Ordering::Acquire)
    }

    /// Waits until the read models include `position`; false when `timeout` passed first.
    pub async fn wait_for(&self, position: Position, timeout: Duration) -> bool {
        let mut rx = self.position.clone();
        tokio::time::timeout(timeout, rx.wait_for(|p| *p >= position))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// Follows the log from the stored checkpoint and keeps the read models of the main
/// projection current (see `registry`).
pub struct ProjectionRunner {
    db: ReadModelDb,
    /// Taken by the blocking write and handed back.
    conn: Option<Connection>,
    published: watch::Sender<Position>,
    integration_changes: Arc<AtomicU64>,
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
        let start = checkpoint(&conn, MAIN)?;
        let (published, position) = watch::channel(start);
        let integration_changes = Arc::new(AtomicU64::new(0));
        let runner = Self {
            db,
            conn: Some(conn),
            published,
            integration_changes: integration_changes.clone(),
        };
        let options = FollowOptions {
            batch: BATCH,
            pace: MIN_COMMIT_INTERVAL,
            ..FollowOptions::default()
        };
        let task = tokio::spawn(follow(store, runner, options, stop));
        let handle = ProjectionHandle {
            position,
            integration_changes,
        };
        Ok((handle, task))
    }
}

#[async_trait::async_trait]
impl Follower for ProjectionRunner {
    type Error = ProjectionError;

    fn name(&self) -> &'static str {
        "projections"
    }

    async fn resume(&mut self) -> Result<Position, ProjectionError> {
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => ReadModelDb::open_writer(self.db.path())?,
        };
        let from = checkpoint(&conn, MAIN)?;
        self.conn = Some(conn);
        Ok(from)
    }

    async fn handle(&mut self, events: Vec<RecordedEvent>) -> Result<(), ProjectionError> {
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(());
        };
        let changes_integrations = events.iter().any(<Integrations as Projection>::concerns);
        let Some(mut writer) = self.conn.take() else {
            return Err(ProjectionError::Worker("connection lost".into()));
        };
        let (writer, result) = tokio::task::spawn_blocking(move || {
            let result = apply_batch(&mut writer, &events, last);
            (writer, result)
        })
        .await
        .map_err(|e| ProjectionError::Worker(e.to_string()))?;
        self.conn = Some(writer);
        result?;
        if changes_integrations {
            self.integration_changes.fetch_add(1, Ordering::AcqRel);
        }
        self.published.send_replace(last);
        Ok(())
    }
}

/// The transaction takes the write lock at its start (IMMEDIATE), so that it waits for the
/// repeat counts' commit (see `alarm_repeats`) instead of failing when it tries to upgrade.
pub(crate) fn apply_batch(
    conn: &mut Connection,
    events: &[RecordedEvent],
    last: Position,
) -> Result<(), ProjectionError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    apply_main(&tx, events)?;
    save_checkpoint(&tx, MAIN, last)?;
    tx.commit()?;
    Ok(())
}
