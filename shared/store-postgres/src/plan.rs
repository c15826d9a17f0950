//! What one group commit writes: given the batch's requests and the versions their streams are
//! at, which requests go in (with their versions and positions) and which conflict. Pure, so
//! the rules are tested without a server.

use crate::codec::{micros, to_i64};
use chrono::{DateTime, Utc};
use servicedesk_store::{Appended, NewEvent, Position, StoreError, StreamAppend};
use std::collections::HashMap;
use uuid::Uuid;

/// The batch's rows, column by column, as `unnest` takes them.
#[derive(Default)]
pub(crate) struct Columns {
    pub position: Vec<i64>,
    pub stream: Vec<String>,
    pub version: Vec<i64>,
    pub event_id: Vec<Uuid>,
    pub event_type: Vec<String>,
    pub schema_version: Vec<i64>,
    pub occurred_at: Vec<DateTime<Utc>>,
    pub recorded_at: Vec<DateTime<Utc>>,
    pub actor: Vec<String>,
    pub correlation_id: Vec<Uuid>,
    pub causation_id: Vec<Option<Uuid>>,
    pub data: Vec<String>,
}

impl Columns {
    pub(crate) fn len(&self) -> usize {
        self.position.len()
    }

    /// The columns as the twelve `unnest` parameters of an insert, in table order.
    pub(crate) fn params(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); 12] {
        [
            &self.position,
            &self.stream,
            &self.version,
            &self.event_id,
            &self.event_type,
            &self.schema_version,
            &self.occurred_at,
            &self.recorded_at,
            &self.actor,
            &self.correlation_id,
            &self.causation_id,
            &self.data,
        ]
    }

    /// One event's row; `recorded_at` is already cut to microseconds.
    pub(crate) fn push(
        &mut self,
        position: Position,
        stream: &str,
        version: u64,
        event: &NewEvent,
        recorded_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.position.push(to_i64(position)?);
        self.stream.push(stream.to_owned());
        self.version.push(to_i64(version)?);
        self.event_id.push(event.event_id);
        self.event_type.push(event.event_type.clone());
        self.schema_version.push(i64::from(event.schema_version));
        self.occurred_at.push(micros(event.occurred_at));
        self.recorded_at.push(recorded_at);
        self.actor.push(event.actor.tag());
        self.correlation_id.push(event.correlation_id);
        self.causation_id.push(event.causation_id);
        self.data.push(event.data.clone());
        Ok(())
    }
}

pub(crate) struct Plan {
    pub rows: Columns,
    /// One answer per request, in order: its appends, or why it was refused.
    pub answers: Vec<Result<Vec<Appended>, StoreError>>,
    /// The log's last position once the rows are in.
    pub head: Position,
}

/// Every distinct stream the batch names.
pub(crate) fn streams_of<'a>(batch: impl Iterator<Item = &'a [StreamAppend]>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut streams = Vec::new();
    for parts in batch {
        for part in parts {
            if seen.insert(part.stream.as_str()) {
                streams.push(part.stream.clone());
            }
        }
    }
    streams
}

/// Requests are taken in order; each sees the streams as the ones before it left them. A
/// request is all or nothing: the first part whose expected version fails refuses it alone.
pub(crate) fn plan<'a>(
    batch: impl Iterator<Item = &'a [StreamAppend]>,
    mut versions: HashMap<String, Option<u64>>,
    head: Position,
    now: DateTime<Utc>,
) -> Result<Plan, StoreError> {
    let recorded_at = micros(now);
    let mut rows = Columns::default();
    let mut answers = Vec::new();
    let mut position = head;
    for parts in batch {
        let mut changed: HashMap<&str, Option<u64>> = HashMap::new();
        let mut appended = Vec::with_capacity(parts.len());
        let mut refusal = None;
        let mut next = position;
        for part in parts {
            let current = match changed.get(part.stream.as_str()) {
                Some(v) => *v,
                None => versions.get(&part.stream).copied().flatten(),
            };
            if let Err(conflict) = part.expected.check(&part.stream, current) {
                refusal = Some(conflict);
                break;
            }
            let count = part.events.len() as u64;
            let last = current.map_or(count - 1, |v| v + count);
            next += count;
            changed.insert(part.stream.as_str(), Some(last));
            appended.push(Appended {
                version: last,
                position: next,
            });
        }
        if let Some(refusal) = refusal {
            answers.push(Err(refusal));
            continue;
        }
        for part in parts {
            let first_version = versions
                .get(&part.stream)
                .copied()
                .flatten()
                .map_or(0, |v| v + 1);
            for (offset, event) in part.events.iter().enumerate() {
                position += 1;
                rows.push(
                    position,
                    &part.stream,
                    first_version + offset as u64,
                    event,
                    recorded_at,
                )?;
            }
            let last = first_version + part.events.len() as u64 - 1;
            versions.insert(part.stream.clone(), Some(last));
        }
        answers.push(Ok(appended));
    }
    Ok(Plan {
        rows,
        answers,
        head: position,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use servicedesk_store::{Actor, ExpectedVersion, NewEvent};

    fn event() -> NewEvent {
        NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "t".into(),
            schema_version: 1,
            occurred_at: Utc::now(),
            actor: Actor::user("a"),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            data: "{}".into(),
        }
    }

    fn part(stream: &str, expected: ExpectedVersion, n: usize) -> StreamAppend {
        StreamAppend {
            stream: stream.into(),
            expected,
            events: (0..n).map(|_| event()).collect(),
        }
    }

    #[test]
    fn requests_chain_versions_and_a_conflict_refuses_only_its_request() {
        // given stream a at version 4, stream b absent, the log at 10
        let versions = HashMap::from([("a".to_owned(), Some(4)), ("b".to_owned(), None)]);
        let batch = [
            vec![part("a", ExpectedVersion::Exact(4), 2)],
            // sees a at 6 after the first request: Exact(4) is stale
            vec![
                part("b", ExpectedVersion::NoStream, 1),
                part("a", ExpectedVersion::Exact(4), 1),
            ],
            vec![
                part("b", ExpectedVersion::NoStream, 1),
                part("b", ExpectedVersion::Exact(0), 1),
            ],
        ];
        // when
        let plan = plan(batch.iter().map(Vec::as_slice), versions, 10, Utc::now()).unwrap();
        // then
        assert_eq!(
            plan.answers[0].as_ref().unwrap(),
            &vec![Appended {
                version: 6,
                position: 12
            }]
        );
        match &plan.answers[1] {
            Err(StoreError::Conflict { stream, actual, .. }) => {
                assert_eq!((stream.as_str(), *actual), ("a", Some(6)));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            plan.answers[2].as_ref().unwrap(),
            &vec![
                Appended {
                    version: 0,
                    position: 13
                },
                Appended {
                    version: 1,
                    position: 14
                }
            ]
        );
        assert_eq!(
            plan.rows.position,
            vec![11, 12, 13, 14],
            "no gap for the refusal"
        );
        assert_eq!(plan.rows.version, vec![5, 6, 0, 1]);
        assert_eq!(plan.head, 14);
    }
}
