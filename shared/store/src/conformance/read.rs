//! Reading back: by stream, globally in order, with limits, and every field exactly.

use super::support::*;
use super::CheckResult;
use crate::{Actor, ActorKind, EventStore, ExpectedVersion, NewEvent, Position};
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

pub async fn read_stream_from_version_with_max(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("read-stream");
    let sent: Vec<_> = (0..5).map(event).collect();
    append(&*store, &s, ExpectedVersion::NoStream, sent).await?;
    let cases: [(u64, usize, Vec<u64>); 5] = [
        (0, 100, vec![0, 1, 2, 3, 4]),
        (2, 2, vec![2, 3]),
        (4, 10, vec![4]),
        (5, 10, vec![]),
        (0, 0, vec![]),
    ];
    for (from, max, expected) in cases {
        let read = read_stream(&*store, &s, from, max).await?;
        ensure_eq!(
            versions(&read),
            expected,
            format!("read_stream({from}, {max})")
        );
    }
    let missing = read_stream(&*store, &stream("missing"), 0, 10).await?;
    ensure!(missing.is_empty(), "a missing stream reads as empty");
    Ok(())
}

pub async fn read_all_in_global_order_with_max(store: Arc<dyn EventStore>) -> CheckResult {
    let start = head(&*store);
    let (a, b) = (stream("all-a"), stream("all-b"));
    append(&*store, &a, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let b0 = append(&*store, &b, ExpectedVersion::NoStream, vec![event(0)]).await?;
    append(
        &*store,
        &a,
        ExpectedVersion::Exact(0),
        vec![event(1), event(2)],
    )
    .await?;
    append(&*store, &b, ExpectedVersion::Exact(0), vec![event(1)]).await?;
    let ours = HashSet::from([a.clone(), b.clone()]);
    let all = read_all_of(&*store, start, &ours).await?;
    let order: Vec<_> = all.iter().map(|e| (e.stream.as_str(), e.version)).collect();
    let expected = [(&*a, 0), (&*b, 0), (&*a, 1), (&*a, 2), (&*b, 1)];
    ensure_eq!(order, expected, "global order");
    ensure_increasing(&all)?;
    let after_b0 = read_all_of(&*store, b0.position, &ours).await?;
    ensure_eq!(ids(&after_b0), ids(&all[2..]), "read_all after a position");
    let limited = read_all(&*store, start, 2).await?;
    ensure_eq!(limited.len(), 2, "read_all with max 2");
    ensure!(
        limited.iter().all(|e| e.position > start),
        "read_all returned a position <= after"
    );
    ensure!(
        read_all(&*store, start, 0).await?.is_empty(),
        "read_all with max 0"
    );
    Ok(())
}

pub async fn positions_strictly_increase(store: Arc<dyn EventStore>) -> CheckResult {
    let streams = [stream("pos-a"), stream("pos-b"), stream("pos-c")];
    let mut last: Option<Position> = None;
    for round in 0..4 {
        for s in &streams {
            let appended = append(&*store, s, ExpectedVersion::Any, vec![event(round)]).await?;
            if let Some(last) = last {
                ensure!(
                    appended.position > last,
                    "{} after {last}",
                    appended.position
                );
            }
            last = Some(appended.position);
        }
    }
    Ok(())
}

pub async fn envelope_round_trips(store: Arc<dyn EventStore>) -> CheckResult {
    let start = head(&*store);
    let s = stream("envelope");
    let first = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "conformance.envelope_tested".to_owned(),
        schema_version: 7,
        occurred_at: at_micros(1_766_311_234_567_891),
        actor: Actor {
            kind: ActorKind::Integration,
            id: "jira:PROJ-1".to_owned(),
        },
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        data: r#"{"title":"Drücker brennt 🔥 — 日本語","quote":"\"x\"","n":-1.5e3}"#.to_owned(),
    };
    let second = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "conformance.ünïcode".to_owned(),
        schema_version: u32::MAX,
        occurred_at: at_micros(-1),
        actor: Actor::system("scheduler"),
        correlation_id: first.correlation_id,
        causation_id: Some(first.event_id),
        data: "{}".to_owned(),
    };
    let third = NewEvent {
        actor: Actor::user("alice"),
        event_id: Uuid::now_v7(),
        ..second.clone()
    };
    let sent = vec![first, second, third];
    append(&*store, &s, ExpectedVersion::NoStream, sent.clone()).await?;
    let by_stream = read_stream(&*store, &s, 0, 10).await?;
    ensure_eq!(by_stream.len(), sent.len(), "events read");
    for (version, (read, sent)) in (0u64..).zip(by_stream.iter().zip(&sent)) {
        ensure_eq!(as_sent(read), *sent, format!("event {version}"));
        ensure_eq!(read.stream, s, "stream");
        ensure_eq!(read.version, version, "version");
    }
    let ours = HashSet::from([s]);
    let by_all = read_all_of(&*store, start, &ours).await?;
    ensure_eq!(by_all, by_stream, "read_all and read_stream agree");
    Ok(())
}
