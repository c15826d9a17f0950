//! Many writers at once: optimistic concurrency on one stream, throughput on many.

use super::support::*;
use super::CheckResult;
use crate::{EventStore, ExpectedVersion};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::Barrier;
use uuid::Uuid;

pub async fn racing_writers_on_one_stream_have_one_winner(
    store: Arc<dyn EventStore>,
) -> CheckResult {
    const RACERS: usize = 20;
    let s = stream("race");
    append(&*store, &s, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let barrier = Arc::new(Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|n| {
            let (store, s, barrier) = (Arc::clone(&store), s.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .append(&s, ExpectedVersion::Exact(0), vec![event(n)])
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for racer in racers {
        match racer.await.map_err(|e| format!("racer task: {e}"))? {
            Ok(appended) => {
                winners += 1;
                ensure_eq!(appended.version, 1, "winner's version");
            }
            result => expect_conflict(result, &s, Some(1))?,
        }
    }
    ensure_eq!(winners, 1, "winners");
    ensure_eq!(
        read_stream(&*store, &s, 0, 100).await?.len(),
        2,
        "events in stream"
    );
    Ok(())
}

pub async fn concurrent_appenders_on_distinct_streams(store: Arc<dyn EventStore>) -> CheckResult {
    const WRITERS: usize = 64;
    const APPENDS: u64 = 50;
    let start = head(&*store);
    let streams: Vec<String> = (0..WRITERS).map(|_| stream("concurrent")).collect();
    let writers: Vec<_> = streams
        .iter()
        .map(|s| {
            let (store, s) = (Arc::clone(&store), s.clone());
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for version in 0..APPENDS {
                    let expected = match version {
                        0 => ExpectedVersion::NoStream,
                        v => ExpectedVersion::Exact(v - 1),
                    };
                    let e = event(version as usize);
                    sent.push(e.event_id);
                    let appended = store.append(&s, expected, vec![e]).await;
                    match appended {
                        Ok(a) if a.version == version => {}
                        other => return Err(format!("{s} append {version}: {other:?}")),
                    }
                }
                Ok(sent)
            })
        })
        .collect();
    let mut sent = HashSet::new();
    for writer in writers {
        sent.extend(writer.await.map_err(|e| format!("writer task: {e}"))??);
    }
    let ours: HashSet<String> = streams.into_iter().collect();
    let all = read_all_of(&*store, start, &ours).await?;
    ensure_eq!(all.len(), WRITERS * APPENDS as usize, "events read back");
    ensure_increasing(&all)?;
    let read: HashSet<Uuid> = all.iter().map(|e| e.event_id).collect();
    ensure!(
        read == sent,
        "read_all did not return exactly the appended events"
    );
    // Within each stream, global order and version order agree.
    for s in &ours {
        let stream_versions: Vec<u64> = all
            .iter()
            .filter(|e| &e.stream == s)
            .map(|e| e.version)
            .collect();
        ensure_eq!(stream_versions, (0..APPENDS).collect::<Vec<_>>(), s);
    }
    Ok(())
}

/// The gap problem: transactions that commit out of the order their positions were handed out
/// must never let a follower read past one that is not visible yet. Many writers commit at
/// once while a follower reads in small batches; it must see every event exactly once, in
/// increasing position order.
pub async fn follower_sees_concurrent_commits_once_in_order(
    store: Arc<dyn EventStore>,
) -> CheckResult {
    const WRITERS: usize = 32;
    const APPENDS: usize = 40;
    let start = head(&*store);
    let streams: Vec<String> = (0..WRITERS).map(|_| stream("gapless")).collect();
    let ours: HashSet<String> = streams.iter().cloned().collect();
    let expected_events = WRITERS * APPENDS * 2;
    let follower = {
        let (store, ours) = (Arc::clone(&store), ours.clone());
        tokio::spawn(async move {
            let mut subscription = crate::Subscription::new(store, start, 7);
            let mut seen = Vec::new();
            while seen.len() < expected_events {
                let batch = tokio::time::timeout(PATIENCE, subscription.next_batch())
                    .await
                    .map_err(|_| format!("follower stalled at {} events", seen.len()))?
                    .map_err(|e| format!("follower: {e}"))?;
                seen.extend(batch.into_iter().filter(|e| ours.contains(&e.stream)));
            }
            Ok::<_, String>(seen)
        })
    };
    let writers: Vec<_> = streams
        .iter()
        .map(|s| {
            let (store, s) = (Arc::clone(&store), s.clone());
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for n in 0..APPENDS {
                    let events = vec![event(2 * n), event(2 * n + 1)];
                    sent.extend(events.iter().map(|e| e.event_id));
                    store
                        .append(&s, ExpectedVersion::Any, events)
                        .await
                        .map_err(|e| format!("{s} append {n}: {e}"))?;
                    if n % 8 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
                Ok::<_, String>(sent)
            })
        })
        .collect();
    let mut sent = HashSet::new();
    for writer in writers {
        sent.extend(writer.await.map_err(|e| format!("writer task: {e}"))??);
    }
    let seen = follower
        .await
        .map_err(|e| format!("follower task: {e}"))??;
    ensure_eq!(seen.len(), expected_events, "events the follower saw");
    ensure_increasing(&seen)?;
    let seen_ids: HashSet<Uuid> = seen.iter().map(|e| e.event_id).collect();
    ensure_eq!(seen_ids.len(), expected_events, "distinct events seen");
    ensure!(
        seen_ids == sent,
        "the follower saw other events than those appended"
    );
    Ok(())
}
