//! The conformance suite against the SQLite backend, plus what only a file-backed store shows:
//! its log survives close, reopen and being dropped without close.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use servicedesk_store::conformance::Fixture;
use servicedesk_store::{
    Actor, Clock, EventStore, ExpectedVersion, ManualClock, NewEvent, SystemClock,
};
use servicedesk_store_sqlite::SqliteEventStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use uuid::Uuid;

/// A store on a fresh file; the directory goes when the test is over.
struct SqliteFixture {
    store: Arc<dyn EventStore>,
    _dir: TempDir,
}

impl Fixture for SqliteFixture {
    fn store(&self) -> Result<Arc<dyn EventStore>, String> {
        Ok(Arc::clone(&self.store))
    }
}

async fn fixture() -> SqliteFixture {
    let dir = TempDir::new().unwrap();
    let store = SqliteEventStore::open(&db_path(&dir), Arc::new(SystemClock)).unwrap();
    SqliteFixture {
        store: Arc::new(store),
        _dir: dir,
    }
}

mod conformance {
    servicedesk_store::conformance_tests!(super::fixture);
}

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("events.db")
}

fn open(path: &Path, clock: Arc<dyn Clock>) -> SqliteEventStore {
    SqliteEventStore::open(path, clock).unwrap()
}

fn event(n: usize) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "test.happened".to_owned(),
        schema_version: 1,
        occurred_at: DateTime::from_timestamp_micros(1_766_000_000_000_000).unwrap(),
        actor: Actor::user("alice"),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        data: format!(r#"{{"n":{n}}}"#),
    }
}

/// Appends `count` single-event appends to `stream`, returning the last position.
async fn fill(store: &SqliteEventStore, stream: &str, count: usize) -> u64 {
    let mut last = 0;
    for n in 0..count {
        last = store
            .append(stream, ExpectedVersion::Any, vec![event(n)])
            .await
            .unwrap()
            .position;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopened_store_has_all_events_and_head() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let store = open(&path, Arc::new(SystemClock));
    fill(&store, "a", 3).await;
    let last = fill(&store, "b", 4).await;
    store.close().await.unwrap();
    let wal = path.with_extension("db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "close leaves an empty WAL"
    );

    let reopened = open(&path, Arc::new(SystemClock));
    assert_eq!(*reopened.head().borrow(), last);
    let all = reopened.read_all(0, 100).await.unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=7).collect::<Vec<_>>(), "dense from 1");
    // The head cache starts empty after reopening; versions must continue, not restart.
    let next = reopened
        .append("b", ExpectedVersion::Exact(3), vec![event(9)])
        .await
        .unwrap();
    assert_eq!((next.version, next.position), (4, 8));
    reopened.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_drop_without_close() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let store = open(&path, Arc::new(SystemClock));
    let last = fill(&store, "s", 5).await;
    drop(store);

    let reopened = open(&path, Arc::new(SystemClock));
    assert_eq!(*reopened.head().borrow(), last);
    let events = reopened.read_stream("s", 0, 100).await.unwrap();
    assert_eq!(events.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_at_comes_from_the_clock() {
    let dir = TempDir::new().unwrap();
    let at: DateTime<Utc> = DateTime::from_timestamp_micros(1_800_000_000_123_456).unwrap();
    let store = open(&db_path(&dir), Arc::new(ManualClock::new(at)));
    fill(&store, "s", 1).await;
    let events = store.read_stream("s", 0, 1).await.unwrap();
    assert_eq!(events[0].recorded_at, at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_after_close_are_refused() {
    let dir = TempDir::new().unwrap();
    let store = open(&db_path(&dir), Arc::new(SystemClock));
    fill(&store, "s", 1).await;
    store.close().await.unwrap();
    assert_eq!(
        store.read_all(0, 10).await,
        Err(servicedesk_store::StoreError::Closed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_to_one_stream_in_one_batch_chain_versions() {
    let dir = TempDir::new().unwrap();
    let store = Arc::new(open(&db_path(&dir), Arc::new(SystemClock)));
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .append("s", ExpectedVersion::Any, vec![event(n), event(n)])
                    .await
                    .unwrap()
                    .version
            })
        })
        .collect();
    let mut last_versions = Vec::new();
    for task in tasks {
        last_versions.push(task.await.unwrap());
    }
    last_versions.sort_unstable();
    assert_eq!(
        last_versions,
        (0..100).map(|n| 2 * n + 1).collect::<Vec<_>>()
    );
    let versions: Vec<u64> = store
        .read_stream("s", 0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(versions, (0..200).collect::<Vec<_>>());
}

/// Appends racing `close` either commit (and are there after reopening) or get `Closed`;
/// none is lost after being acknowledged, and close waits for the accepted ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_finishes_accepted_appends() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let store = Arc::new(open(&path, Arc::new(SystemClock)));
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let stream = format!("s-{n}");
                store
                    .append(&stream, ExpectedVersion::NoStream, vec![event(n)])
                    .await
            })
        })
        .collect();
    store.close().await.unwrap();
    let mut committed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => committed += 1,
            Err(error) => assert_eq!(error, servicedesk_store::StoreError::Closed),
        }
    }
    let reopened = open(&path, Arc::new(SystemClock));
    assert_eq!(reopened.read_all(0, 1000).await.unwrap().len(), committed);
}

/// After a restart the writer knows no stream heads; creating a stream that exists in the file
/// must still conflict (the unique key catches it), and the rest of the batch must commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_stream_conflicts_on_a_stream_the_writer_has_not_seen() {
    let dir = TempDir::new().unwrap();
    let path = db_path(&dir);
    let store = open(&path, Arc::new(SystemClock));
    fill(&store, "incident-old", 2).await;
    store.close().await.unwrap();

    let store = Arc::new(open(&path, Arc::new(SystemClock)));
    let (old, new) = tokio::join!(
        store.append("incident-old", ExpectedVersion::NoStream, vec![event(9)]),
        store.append(
            "incident-new",
            ExpectedVersion::NoStream,
            vec![event(9), event(10)]
        ),
    );
    match old {
        Err(servicedesk_store::StoreError::Conflict { actual, .. }) => assert_eq!(actual, Some(1)),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let new = new.unwrap();
    assert_eq!(new.version, 1);
    assert_eq!(
        store
            .read_stream("incident-old", 0, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    let all = store.read_all(0, 10).await.unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        vec![1, 2, 3, 4],
        "a refused insert leaves no gap in positions"
    );
    // and a retry after the conflict, now with the head known, conflicts the same way
    let again = store
        .append("incident-old", ExpectedVersion::NoStream, vec![event(11)])
        .await;
    assert!(matches!(
        again,
        Err(servicedesk_store::StoreError::Conflict {
            actual: Some(1),
            ..
        })
    ));
}
