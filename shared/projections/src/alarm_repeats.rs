//! Repeat counts of alarms, from the repeat journal (see `domain::alarm::journal`), in
//! `alarm_repeats`: a projection of its own, with its own checkpoint, that commits about once a
//! second.
//!
//! Why apart from the main projection: under load the journal carries thousands of repeats a
//! second spread over every firing alarm. Written with the main projection, each of its
//! frequent commits rewrote most alarm pages; summed in memory and written once a second, each
//! alarm's row is written once per second at most. Nobody waits on a repeat count (no
//! read-your-writes), so the second of lag costs nothing, and a crash loses nothing: the
//! checkpoint is written with the counts, and the journal since is read again.

use crate::db::{checkpoint, save_checkpoint, ReadModelDb};
use crate::registry::{Follows, Projection};
use crate::time::micros;
use crate::ProjectionError;
use rusqlite::{params, Connection};
use servicedesk_domain::alarm::journal::{AlarmJournalEvent, REPEATS_STREAM};
use servicedesk_domain::alarm::AlarmId;
use servicedesk_store::{follow, EventStore, FollowOptions, Follower, Position, RecordedEvent};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub(crate) const PROJECTION: &str = "alarm-repeats";

/// How long counts gather in memory before they are written.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// With no repeats to write, the checkpoint alone is written this seldom: it only saves
/// reading the log again after a restart, and each write takes the file's write lock.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);
const BATCH: usize = 5_000;
/// The counts are written once a second anyway: reading the log at every group commit only to
/// add to them in memory would wake this follower thousands of times a second.
const PACE: Duration = Duration::from_millis(200);

pub(crate) struct AlarmRepeats;

impl Projection for AlarmRepeats {
    const NAME: &'static str = PROJECTION;
    const FOLLOWS: Follows = Follows::OnItsOwn;

    fn concerns(recorded: &RecordedEvent) -> bool {
        recorded.stream == REPEATS_STREAM
    }

    fn apply(conn: &Connection, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut counts = Counts::default();
        counts.add(events);
        counts.write(conn)
    }
}

/// Repeats summed per alarm: (count, last seen in microseconds).
#[derive(Default)]
pub(crate) struct Counts(HashMap<AlarmId, (u64, i64)>);

impl Counts {
    pub(crate) fn add(&mut self, events: &[RecordedEvent]) {
        for recorded in events.iter().filter(|e| AlarmRepeats::concerns(e)) {
            let Some(AlarmJournalEvent::AlarmsRepeated(batch)) =
                crate::alarms::readable::<AlarmJournalEvent>(recorded)
            else {
                continue;
            };
            for repeat in batch.repeats {
                let sum = self.0.entry(repeat.alarm).or_insert((0, i64::MIN));
                sum.0 += repeat.count;
                sum.1 = sum.1.max(micros(repeat.last_seen));
            }
        }
    }

    /// Adds the counts to their rows.
    pub(crate) fn write(self, conn: &Connection) -> Result<(), ProjectionError> {
        let mut upsert = conn.prepare_cached(
            "INSERT INTO alarm_repeats (id, count, last_seen) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET count = count + excluded.count,
                last_seen = max(last_seen, excluded.last_seen)",
        )?;
        let mut rows: Vec<_> = self.0.into_iter().collect();
        // In key order, so the upserts walk the table's pages once.
        rows.sort_unstable_by_key(|(id, _)| *id);
        for (id, (count, last_seen)) in rows {
            upsert.execute(params![id.to_string(), count as i64, last_seen])?;
        }
        Ok(())
    }
}

/// Follows the log from this projection's checkpoint until `stop`; restarts after a failure.
pub fn start(
    store: Arc<dyn EventStore>,
    db: ReadModelDb,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let follower = RepeatCounts {
        db,
        conn: None,
        counts: Counts::default(),
        read_to: None,
        saved: tokio::time::Instant::now(),
    };
    let options = FollowOptions {
        batch: BATCH,
        tick: Some(FLUSH_EVERY),
        wake: None,
        pace: PACE,
    };
    tokio::spawn(follow(store, follower, options, stop))
}

/// Counts gathered since the last write, and how far the log has been read.
struct RepeatCounts {
    db: ReadModelDb,
    /// Taken by the blocking write and handed back, as the main projection does.
    conn: Option<Connection>,
    counts: Counts,
    read_to: Option<Position>,
    saved: tokio::time::Instant,
}

impl RepeatCounts {
    async fn flush(&mut self, stopping: bool) -> Result<(), ProjectionError> {
        let due = !self.counts.0.is_empty() || stopping || self.saved.elapsed() >= CHECKPOINT_EVERY;
        let Some(position) = self.read_to.filter(|_| due) else {
            return Ok(());
        };
        self.read_to = None;
        self.saved = tokio::time::Instant::now();
        let Some(mut writer) = self.conn.take() else {
            return Err(ProjectionError::Worker("connection lost".into()));
        };
        let batch = std::mem::take(&mut self.counts);
        let (writer, written) = tokio::task::spawn_blocking(move || {
            let written = write(&mut writer, batch, position);
            (writer, written)
        })
        .await
        .map_err(|e| ProjectionError::Worker(e.to_string()))?;
        self.conn = Some(writer);
        written
    }
}

#[async_trait::async_trait]
impl Follower for RepeatCounts {
    type Error = ProjectionError;

    fn name(&self) -> &'static str {
        PROJECTION
    }

    /// Counts not yet written are dropped: the log since the checkpoint holds them again.
    async fn resume(&mut self) -> Result<Position, ProjectionError> {
        let writer = ReadModelDb::open_writer(self.db.path())?;
        let from = checkpoint(&writer, PROJECTION)?;
        self.conn = Some(writer);
        self.counts = Counts::default();
        self.read_to = None;
        Ok(from)
    }

    async fn handle(&mut self, events: Vec<RecordedEvent>) -> Result<(), ProjectionError> {
        self.counts.add(&events);
        if let Some(last) = events.last() {
            self.read_to = Some(last.position);
        }
        Ok(())
    }

    async fn wake(&mut self) -> Result<(), ProjectionError> {
        self.flush(false).await
    }

    async fn stop(&mut self) -> Result<(), ProjectionError> {
        self.flush(true).await
    }
}

/// IMMEDIATE, like the main projection's: two writers of one file that start as readers and
/// upgrade fail with "database is locked" instead of waiting for each other.
fn write(conn: &mut Connection, counts: Counts, position: Position) -> Result<(), ProjectionError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    counts.write(&tx)?;
    save_checkpoint(&tx, PROJECTION, position)?;
    tx.commit()?;
    Ok(())
}
