//! How an event maps onto a row of `events`: times as i64 microseconds since the epoch, UUIDs
//! as 16-byte blobs, the actor as "kind:id" text. Sub-microsecond precision is dropped.

use crate::connection::io;
use chrono::{DateTime, Utc};
use rusqlite::{params, Row, Statement};
use servicedesk_store::{Actor, NewEvent, RecordedEvent, StoreError};
use uuid::Uuid;

pub(super) const INSERT: &str = "INSERT INTO events (position, stream, version, event_id, \
     event_type, schema_version, occurred_at, recorded_at, actor, correlation_id, causation_id, \
     data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// The column list `decode` expects, in order.
pub(super) const COLUMNS: &str = "position, stream, version, event_id, event_type, \
     schema_version, occurred_at, recorded_at, actor, correlation_id, causation_id, data";

pub(super) fn insert(
    stmt: &mut Statement<'_>,
    position: u64,
    stream: &str,
    version: u64,
    event: &NewEvent,
    recorded_at: i64,
) -> Result<(), StoreError> {
    stmt.execute(params![
        to_i64(position)?,
        stream,
        to_i64(version)?,
        event.event_id.as_bytes().as_slice(),
        event.event_type,
        i64::from(event.schema_version),
        micros(event.occurred_at),
        recorded_at,
        actor_text(&event.actor),
        event.correlation_id.as_bytes().as_slice(),
        event
            .causation_id
            .as_ref()
            .map(|id| id.as_bytes().as_slice()),
        event.data,
    ])
    .map_err(|e| match e.sqlite_error_code() {
        // Only the (stream, version) key can collide: positions come from the writer alone.
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict {
            stream: stream.to_owned(),
            expected: "no stream".to_owned(),
            actual: None,
        },
        _ => io(e),
    })?;
    Ok(())
}

/// One row selected with [`COLUMNS`].
pub(super) fn decode(row: &Row<'_>) -> Result<RecordedEvent, StoreError> {
    let int = |i: usize| row.get::<_, i64>(i).map_err(io);
    let text = |i: usize| row.get::<_, String>(i).map_err(io);
    let blob = |i: usize| row.get_ref(i).and_then(|v| Ok(v.as_blob()?)).map_err(io);
    let causation = row
        .get_ref(10)
        .and_then(|v| Ok(v.as_blob_or_null()?))
        .map_err(io)?;
    Ok(RecordedEvent {
        position: to_u64(int(0)?)?,
        stream: text(1)?,
        version: to_u64(int(2)?)?,
        event_id: uuid(blob(3)?)?,
        event_type: text(4)?,
        schema_version: u32::try_from(int(5)?).map_err(io)?,
        occurred_at: from_micros(int(6)?)?,
        recorded_at: from_micros(int(7)?)?,
        actor: parse_actor(&text(8)?)?,
        correlation_id: uuid(blob(9)?)?,
        causation_id: causation.map(uuid).transpose()?,
        data: text(11)?,
    })
}

pub(super) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(value: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(value)
        .ok_or_else(|| StoreError::Io(format!("timestamp out of range: {value}")))
}

fn uuid(bytes: &[u8]) -> Result<Uuid, StoreError> {
    Uuid::from_slice(bytes).map_err(io)
}

fn actor_text(actor: &Actor) -> String {
    actor.tag()
}

fn parse_actor(text: &str) -> Result<Actor, StoreError> {
    Actor::from_tag(text).map_err(StoreError::Io)
}

/// SQLite integers are i64; versions and positions never get near the limit, but a value that
/// did must fail loudly rather than wrap.
pub(super) fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Invalid(format!("{value} exceeds i64")))
}

pub(super) fn to_u64(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Io(format!("negative integer in log: {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_ids_may_contain_colons() {
        let actor = Actor::user("a:b:c");
        assert_eq!(parse_actor(&actor_text(&actor)), Ok(actor));
    }

    #[test]
    fn unknown_actor_kind_is_an_error() {
        assert!(parse_actor("robot:r2").is_err());
        assert!(parse_actor("nocolon").is_err());
    }
}
