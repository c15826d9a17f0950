//! Reads never run ahead of the durable head. The store's own commits become visible to
//! readers' snapshots before the syncer's fsync; we cannot pause its syncer from outside, so
//! a second connection plays the writer: it commits rows the syncer has never covered, exactly
//! the state between a commit and its fsync, and the store must not return them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::DateTime;
use rusqlite::{params, Connection};
use servicedesk_store::{Actor, EventStore, ExpectedVersion, NewEvent, SystemClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;
use uuid::Uuid;

fn event() -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "test.happened".to_owned(),
        schema_version: 1,
        occurred_at: DateTime::from_timestamp_micros(1_766_000_000_000_000).unwrap(),
        actor: Actor::user("alice"),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        data: "{}".to_owned(),
    }
}

/// Commits a row behind the store's back, in WAL mode with synchronous=OFF: committed, visible
/// to new read snapshots, never fsynced and never published on `head`.
fn commit_unpublished(path: &Path, position: i64, stream: &str, version: i64) {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO events (position, stream, version, event_id, event_type, schema_version, \
         occurred_at, recorded_at, actor, correlation_id, causation_id, data) \
         VALUES (?1, ?2, ?3, ?4, 'test.happened', 1, 0, 0, 'user:mallory', ?4, NULL, '{}')",
        params![position, stream, version, id.as_bytes().as_slice()],
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_stop_at_the_published_head() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("events.db");
    let store = SqliteEventStore::open(&path, Arc::new(SystemClock)).unwrap();
    let durable = store
        .append("s", ExpectedVersion::NoStream, vec![event()])
        .await
        .unwrap();
    assert_eq!(*store.head().borrow(), durable.position);

    commit_unpublished(&path, 2, "s", 1);
    commit_unpublished(&path, 3, "t", 0);
    let unclamped = Connection::open(&path).unwrap();
    let rows: i64 = unclamped
        .query_row("SELECT count(*) FROM events", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, 3, "the extra rows are committed and visible to SQL");

    let all = store.read_all(0, 10).await.unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![durable.position], "read_all stops at head");
    let s = store.read_stream("s", 0, 10).await.unwrap();
    assert_eq!(s.len(), 1, "read_stream stops at head");
    assert!(store.read_stream("t", 0, 10).await.unwrap().is_empty());
    assert!(store
        .read_all(durable.position, 10)
        .await
        .unwrap()
        .is_empty());
    drop(unclamped);
    store.close().await.unwrap();
}
