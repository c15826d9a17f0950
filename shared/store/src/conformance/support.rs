//! Shared by the checks: unique stream names, sample events, and store calls that turn
//! errors into check failures.

use super::CheckResult;
use crate::{
    Actor, Appended, EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent, StoreError,
    Subscription,
};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::Duration;
use uuid::Uuid;

/// How long a check waits for something that should happen promptly.
pub(super) const PATIENCE: Duration = Duration::from_secs(10);

pub(super) fn stream(name: &str) -> String {
    format!("conformance-{name}-{}", Uuid::new_v4().simple())
}

pub(super) fn at_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// A distinct event; microsecond timestamps so it round-trips exactly.
pub(super) fn event(n: usize) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "conformance.tested".to_owned(),
        schema_version: 1,
        occurred_at: at_micros(1_766_000_000_000_000 + n as i64),
        actor: Actor::user("conformance"),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        data: format!(r#"{{"n":{n}}}"#),
    }
}

pub(super) fn as_sent(e: &RecordedEvent) -> NewEvent {
    NewEvent {
        event_id: e.event_id,
        event_type: e.event_type.clone(),
        schema_version: e.schema_version,
        occurred_at: e.occurred_at,
        actor: e.actor.clone(),
        correlation_id: e.correlation_id,
        causation_id: e.causation_id,
        data: e.data.clone(),
    }
}

pub(super) fn head(store: &dyn EventStore) -> Position {
    *store.head().borrow()
}

pub(super) async fn append(
    store: &dyn EventStore,
    stream: &str,
    expected: ExpectedVersion,
    events: Vec<NewEvent>,
) -> Result<Appended, String> {
    store
        .append(stream, expected, events)
        .await
        .map_err(|e| format!("append to {stream} ({expected:?}): {e}"))
}

pub(super) async fn read_stream(
    store: &dyn EventStore,
    stream: &str,
    from: u64,
    max: usize,
) -> Result<Vec<RecordedEvent>, String> {
    store
        .read_stream(stream, from, max)
        .await
        .map_err(|e| format!("read_stream({stream}, {from}, {max}): {e}"))
}

pub(super) async fn read_all(
    store: &dyn EventStore,
    after: Position,
    max: usize,
) -> Result<Vec<RecordedEvent>, String> {
    store
        .read_all(after, max)
        .await
        .map_err(|e| format!("read_all({after}, {max}): {e}"))
}

/// Everything after `after` up to the current end, paging, keeping only `streams`.
pub(super) async fn read_all_of(
    store: &dyn EventStore,
    mut after: Position,
    streams: &HashSet<String>,
) -> Result<Vec<RecordedEvent>, String> {
    let mut ours = Vec::new();
    loop {
        let page = read_all(store, after, 500).await?;
        let Some(last) = page.last() else {
            return Ok(ours);
        };
        ensure!(
            last.position > after,
            "read_all did not advance past {after}"
        );
        after = last.position;
        ours.extend(page.into_iter().filter(|e| streams.contains(&e.stream)));
    }
}

pub(super) async fn receive_until(
    subscription: &mut Subscription,
    stream: &str,
    count: usize,
    seen: &mut Vec<RecordedEvent>,
) -> CheckResult {
    while seen.len() < count {
        let batch = tokio::time::timeout(PATIENCE, subscription.next_batch())
            .await
            .map_err(|_| format!("subscription stalled with {} of {count} events", seen.len()))?
            .map_err(|e| format!("subscription: {e}"))?;
        seen.extend(batch.into_iter().filter(|e| e.stream == stream));
    }
    ensure_eq!(seen.len(), count, "events received");
    Ok(())
}

pub(super) fn expect_conflict(
    result: Result<Appended, StoreError>,
    stream: &str,
    actual: Option<u64>,
) -> CheckResult {
    match result {
        Err(StoreError::Conflict {
            stream: s,
            actual: a,
            ..
        }) if s == stream && a == actual => Ok(()),
        other => Err(format!(
            "expected a conflict on {stream} at {actual:?}, got {other:?}"
        )),
    }
}

pub(super) fn ensure_increasing(events: &[RecordedEvent]) -> CheckResult {
    for pair in events.windows(2) {
        ensure!(
            pair[0].position < pair[1].position,
            "position {} is followed by {}",
            pair[0].position,
            pair[1].position
        );
    }
    Ok(())
}

pub(super) fn versions(events: &[RecordedEvent]) -> Vec<u64> {
    events.iter().map(|e| e.version).collect()
}

pub(super) fn ids(events: &[RecordedEvent]) -> Vec<Uuid> {
    events.iter().map(|e| e.event_id).collect()
}

pub(super) fn ids_of(events: &[NewEvent]) -> Vec<Uuid> {
    events.iter().map(|e| e.event_id).collect()
}
