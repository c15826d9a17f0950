//! Appending: expected-version rules, versions and positions of one append, refusals.

use super::support::*;
use super::CheckResult;
use crate::{EventStore, ExpectedVersion, StoreError};
use std::sync::Arc;

pub async fn append_to_new_stream_with_no_stream(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("new");
    let sent = event(0);
    let appended = append(&*store, &s, ExpectedVersion::NoStream, vec![sent.clone()]).await?;
    ensure_eq!(appended.version, 0, "first version");
    let read = read_stream(&*store, &s, 0, 10).await?;
    ensure_eq!(read.len(), 1, "events in stream");
    ensure_eq!(read[0].event_id, sent.event_id, "event id");
    ensure_eq!(read[0].position, appended.position, "position");
    Ok(())
}

pub async fn no_stream_on_existing_stream_conflicts(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("exists");
    append(&*store, &s, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let again = store
        .append(&s, ExpectedVersion::NoStream, vec![event(1)])
        .await;
    expect_conflict(again, &s, Some(0))?;
    ensure_eq!(
        read_stream(&*store, &s, 0, 10).await?.len(),
        1,
        "events after conflict"
    );
    Ok(())
}

pub async fn exact_version_must_match(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("exact");
    let missing = store
        .append(&s, ExpectedVersion::Exact(0), vec![event(0)])
        .await;
    expect_conflict(missing, &s, None)?;
    append(&*store, &s, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let ahead = store
        .append(&s, ExpectedVersion::Exact(1), vec![event(1)])
        .await;
    expect_conflict(ahead, &s, Some(0))?;
    let appended = append(&*store, &s, ExpectedVersion::Exact(0), vec![event(1)]).await?;
    ensure_eq!(appended.version, 1, "version after Exact(0)");
    let stale = store
        .append(&s, ExpectedVersion::Exact(0), vec![event(2)])
        .await;
    expect_conflict(stale, &s, Some(1))?;
    ensure_eq!(read_stream(&*store, &s, 0, 10).await?.len(), 2, "events");
    Ok(())
}

pub async fn stream_exists_on_missing_stream_conflicts(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("stream-exists");
    let missing = store
        .append(&s, ExpectedVersion::StreamExists, vec![event(0)])
        .await;
    expect_conflict(missing, &s, None)?;
    append(&*store, &s, ExpectedVersion::NoStream, vec![event(0)]).await?;
    let appended = append(&*store, &s, ExpectedVersion::StreamExists, vec![event(1)]).await?;
    ensure_eq!(appended.version, 1, "version after StreamExists");
    Ok(())
}

pub async fn any_always_appends(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("any");
    let first = append(&*store, &s, ExpectedVersion::Any, vec![event(0)]).await?;
    ensure_eq!(first.version, 0, "version on a new stream");
    let second = append(&*store, &s, ExpectedVersion::Any, vec![event(1)]).await?;
    ensure_eq!(second.version, 1, "version on an existing stream");
    Ok(())
}

pub async fn multi_event_append_is_consecutive(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("multi");
    let sent = vec![event(0), event(1), event(2)];
    let appended = append(&*store, &s, ExpectedVersion::NoStream, sent.clone()).await?;
    ensure_eq!(appended.version, 2, "version of the last event");
    let read = read_stream(&*store, &s, 0, 10).await?;
    ensure_eq!(versions(&read), vec![0, 1, 2], "versions");
    ensure_eq!(ids(&read), ids_of(&sent), "event ids");
    ensure_increasing(&read)?;
    ensure_eq!(
        read[2].position,
        appended.position,
        "position of the last event"
    );
    // One append is contiguous in the global order: nothing lands between its events.
    let after_first = read_all(&*store, read[0].position, 2).await?;
    ensure_eq!(
        ids(&after_first),
        ids(&read[1..]),
        "global order after the first event"
    );
    Ok(())
}

pub async fn empty_append_is_invalid(store: Arc<dyn EventStore>) -> CheckResult {
    let s = stream("empty");
    let result = store.append(&s, ExpectedVersion::Any, Vec::new()).await;
    ensure!(
        matches!(result, Err(StoreError::Invalid(_))),
        "empty append: {result:?}"
    );
    ensure!(
        read_stream(&*store, &s, 0, 10).await?.is_empty(),
        "an empty append created the stream"
    );
    Ok(())
}
