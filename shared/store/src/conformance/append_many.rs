//! Appending to several streams at once: all parts or none, each checked in order.

use super::support::*;
use super::CheckResult;
use crate::{EventStore, ExpectedVersion, StoreError, StreamAppend};
use std::sync::Arc;

fn part(stream: &str, expected: ExpectedVersion, events: Vec<crate::NewEvent>) -> StreamAppend {
    StreamAppend {
        stream: stream.to_owned(),
        expected,
        events,
    }
}

pub async fn append_many_writes_every_part(store: Arc<dyn EventStore>) -> CheckResult {
    let (a, b) = (stream("many-a"), stream("many-b"));
    append(&*store, &b, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let sent_a = vec![event(1), event(2)];
    let sent_b = vec![event(3)];
    let appended = store
        .append_many(vec![
            part(&a, ExpectedVersion::NoStream, sent_a.clone()),
            part(&b, ExpectedVersion::Exact(0), sent_b.clone()),
        ])
        .await
        .map_err(|e| format!("append_many: {e}"))?;
    ensure_eq!(appended.len(), 2, "one answer per part");
    ensure_eq!(appended[0].version, 1, "version of a");
    ensure_eq!(appended[1].version, 1, "version of b");
    ensure!(
        appended[0].position < appended[1].position,
        "parts take positions in order: {appended:?}"
    );
    let read_a = read_stream(&*store, &a, 0, 10).await?;
    ensure_eq!(ids(&read_a), ids_of(&sent_a), "events of a");
    ensure_eq!(read_a[1].position, appended[0].position, "position of a");
    let read_b = read_stream(&*store, &b, 1, 10).await?;
    ensure_eq!(ids(&read_b), ids_of(&sent_b), "events of b");
    Ok(())
}

pub async fn append_many_conflict_writes_nothing(store: Arc<dyn EventStore>) -> CheckResult {
    let (a, b) = (stream("many-ok"), stream("many-stale"));
    append(&*store, &b, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let before = head(&*store);
    let result = store
        .append_many(vec![
            part(&a, ExpectedVersion::NoStream, vec![event(1)]),
            part(&b, ExpectedVersion::Exact(5), vec![event(2)]),
        ])
        .await;
    expect_conflict(result.map(|mut v| v.remove(0)), &b, Some(0))?;
    ensure!(
        read_stream(&*store, &a, 0, 10).await?.is_empty(),
        "the part that was fine was written anyway"
    );
    ensure_eq!(
        read_stream(&*store, &b, 0, 10).await?.len(),
        1,
        "events of b"
    );
    let ours = [a.clone(), b.clone()].into_iter().collect();
    ensure_eq!(
        read_all_of(&*store, before, &ours).await?.len(),
        0,
        "events after a refused append_many"
    );
    Ok(())
}

pub async fn append_many_checks_parts_in_order(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("many-same");
    let appended = store
        .append_many(vec![
            part(&s, ExpectedVersion::NoStream, vec![event(0)]),
            part(&s, ExpectedVersion::Exact(0), vec![event(1), event(2)]),
        ])
        .await
        .map_err(|e| format!("append_many: {e}"))?;
    ensure_eq!(
        appended.iter().map(|a| a.version).collect::<Vec<_>>(),
        vec![0, 2],
        "versions"
    );
    ensure_eq!(
        versions(&read_stream(&*store, &s, 0, 10).await?),
        vec![0, 1, 2],
        "stream"
    );
    let stale = store
        .append_many(vec![
            part(&s, ExpectedVersion::Exact(2), vec![event(3)]),
            part(&s, ExpectedVersion::Exact(2), vec![event(4)]),
        ])
        .await;
    expect_conflict(stale.map(|mut v| v.remove(0)), &s, Some(3))?;
    ensure_eq!(read_stream(&*store, &s, 0, 10).await?.len(), 3, "events");
    Ok(())
}

pub async fn append_many_refuses_empty_parts(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("many-empty");
    let none = store.append_many(Vec::new()).await;
    ensure!(
        matches!(none, Err(StoreError::Invalid(_))),
        "no parts: {none:?}"
    );
    let empty = store
        .append_many(vec![
            part(&s, ExpectedVersion::Any, vec![event(0)]),
            part(&stream("x"), ExpectedVersion::Any, Vec::new()),
        ])
        .await;
    ensure!(
        matches!(empty, Err(StoreError::Invalid(_))),
        "an empty part: {empty:?}"
    );
    ensure!(
        read_stream(&*store, &s, 0, 10).await?.is_empty(),
        "a refused append_many wrote its other part"
    );
    Ok(())
}
