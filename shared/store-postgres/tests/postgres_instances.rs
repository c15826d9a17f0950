//! Several store instances on one database, as several servicedesk processes use it: one
//! gap-free order, conflicts across instances, heads that move on another's commit, leases
//! that hand over with a growing fence, and recovery from lost connections.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::DateTime;
use servicedesk_store::{
    Actor, EventStore, ExpectedVersion, Leases, NewEvent, StoreError, Subscription, SystemClock,
};
use servicedesk_store_postgres::{testing, PostgresEventStore};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const PATIENCE: Duration = Duration::from_secs(10);

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

/// A fresh database and its URL, or None (with the reason printed) without a test server.
async fn database() -> Option<String> {
    match testing::server_url() {
        Ok(url) => Some(testing::fresh_database(&url).await.unwrap()),
        Err(reason) => {
            eprintln!("DID NOT RUN: {reason}");
            None
        }
    }
}

async fn open(url: &str) -> Arc<PostgresEventStore> {
    Arc::new(
        PostgresEventStore::connect(url, Arc::new(SystemClock))
            .await
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_gapless_order() {
    let Some(url) = database().await else { return };
    let (a, b) = (open(&url).await, open(&url).await);
    const WRITERS: usize = 16;
    const APPENDS: usize = 50;
    let follower = {
        let a: Arc<dyn EventStore> = a.clone();
        tokio::spawn(async move {
            let mut subscription = Subscription::new(a, 0, 5);
            let mut seen = Vec::new();
            while seen.len() < 2 * WRITERS * APPENDS {
                let batch = tokio::time::timeout(PATIENCE, subscription.next_batch())
                    .await
                    .expect("follower stalled")
                    .unwrap();
                seen.extend(batch);
            }
            seen
        })
    };
    let mut writers = Vec::new();
    for (side, store) in [("a", a.clone()), ("b", b.clone())] {
        for w in 0..WRITERS {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                let stream = format!("s-{side}-{w}");
                let mut ids = Vec::new();
                for n in 0..APPENDS {
                    let e = event(n);
                    ids.push(e.event_id);
                    store
                        .append(&stream, ExpectedVersion::Any, vec![e])
                        .await
                        .unwrap();
                }
                ids
            }));
        }
    }
    let mut sent = HashSet::new();
    for writer in writers {
        sent.extend(writer.await.unwrap());
    }
    let seen = follower.await.unwrap();
    let positions: Vec<u64> = seen.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=(2 * WRITERS * APPENDS) as u64).collect::<Vec<_>>(),
        "dense and in order across both instances"
    );
    assert_eq!(
        seen.iter().map(|e| e.event_id).collect::<HashSet<_>>(),
        sent
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_instances_on_one_stream_have_one_winner() {
    let Some(url) = database().await else { return };
    let (a, b) = (open(&url).await, open(&url).await);
    a.append("incident-1", ExpectedVersion::NoStream, vec![event(0)])
        .await
        .unwrap();
    let (left, right) = tokio::join!(
        a.append("incident-1", ExpectedVersion::Exact(0), vec![event(1)]),
        b.append("incident-1", ExpectedVersion::Exact(0), vec![event(2)]),
    );
    let outcomes = [left, right];
    let winners = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(winners, 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| matches!(
        o,
        Err(StoreError::Conflict {
            actual: Some(1),
            ..
        })
    )));
    // and b, which never wrote the stream before, still knows it exists
    let again = b
        .append("incident-1", ExpectedVersion::NoStream, vec![event(3)])
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_commit_on_one_instance_wakes_the_other() {
    let Some(url) = database().await else { return };
    let (a, b) = (open(&url).await, open(&url).await);
    let mut head = a.head();
    let appended = b
        .append("s", ExpectedVersion::Any, vec![event(0)])
        .await
        .unwrap();
    tokio::time::timeout(PATIENCE, head.wait_for(|p| *p >= appended.position))
        .await
        .expect("a's head never moved")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lease_is_held_once_and_handed_over_with_a_higher_fence() {
    let Some(url) = database().await else { return };
    let (a, b) = (open(&url).await, open(&url).await);
    let (leases_a, leases_b) = (a.leases(), b.leases());
    let first = leases_a.acquire("reactor").await.unwrap();
    first.save_checkpoint(41).await.unwrap();
    let waiting = tokio::spawn(async move { leases_b.acquire("reactor").await.unwrap() });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!waiting.is_finished(), "b took a lease a holds");
    let fence = first.fence();
    // a goes away (its session ends): b takes over where a left off
    drop(first);
    let second = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("b never got the lease")
        .unwrap();
    assert!(second.fence() > fence);
    assert_eq!(second.checkpoint().await.unwrap(), 41);
    second.save_checkpoint(42).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_holder_cannot_move_the_checkpoint() {
    let Some(url) = database().await else { return };
    let store = open(&url).await;
    let leases = store.leases();
    let stale = leases.acquire("scheduler").await.unwrap();
    // Its session is cut (as a network partition would), so another holder can take over...
    terminate_sessions(&url, "servicedesk lease").await;
    let current = tokio::time::timeout(PATIENCE, leases.acquire("scheduler"))
        .await
        .unwrap()
        .unwrap();
    assert!(current.fence() > stale.fence());
    tokio::time::timeout(PATIENCE, stale.lost().wait_for(|l| *l))
        .await
        .expect("the stale lease never noticed")
        .unwrap();
    // ...and whatever the stale one tries, the checkpoint follows only the current holder.
    assert!(stale.save_checkpoint(1).await.is_err());
    current.save_checkpoint(7).await.unwrap();
    assert_eq!(current.checkpoint().await.unwrap(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_connections_are_unavailable_then_recover_and_lose_nothing() {
    let Some(url) = database().await else { return };
    let store = open(&url).await;
    let mut acknowledged = Vec::new();
    let mut unavailable = 0;
    for round in 0..6 {
        for n in 0..20 {
            let e = event(n);
            let id = e.event_id;
            match store.append("s", ExpectedVersion::Any, vec![e]).await {
                Ok(_) => acknowledged.push(id),
                Err(StoreError::Unavailable(_)) => unavailable += 1,
                Err(other) => panic!("round {round}: {other}"),
            }
        }
        terminate_sessions(&url, "").await;
    }
    assert!(
        unavailable > 0,
        "cutting every connection was never noticed"
    );
    // it recovers by itself: the next appends and reads work
    let recovered = loop {
        match store
            .append("s", ExpectedVersion::Any, vec![event(99)])
            .await
        {
            Ok(appended) => break appended,
            Err(StoreError::Unavailable(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(other) => panic!("{other}"),
        }
    };
    let events = loop {
        match store.read_stream("s", 0, 10_000).await {
            Ok(events) => break events,
            Err(StoreError::Unavailable(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(other) => panic!("{other}"),
        }
    };
    let stored: HashSet<Uuid> = events.iter().map(|e| e.event_id).collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged event {id} is gone");
    }
    assert_eq!(events.last().unwrap().version, recovered.version);
}

/// Ends the sessions on the test database whose application name contains `name_like`.
async fn terminate_sessions(url: &str, name_like: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND application_name LIKE '%' || $1 || '%'",
            &[&name_like],
        )
        .await
        .unwrap();
}
