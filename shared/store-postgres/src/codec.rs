//! Rows to events and back: UUIDs as `uuid`, instants as `timestamptz` (microseconds, like
//! every backend), the actor as its tag.

use chrono::{DateTime, Utc};
use servicedesk_store::{Actor, RecordedEvent, StoreError};
use tokio_postgres::Row;

pub(crate) const COLUMNS: &str = "position, stream, version, event_id, event_type, \
     schema_version, occurred_at, recorded_at, actor, correlation_id, causation_id, data";

pub(crate) fn decode(row: &Row) -> Result<RecordedEvent, StoreError> {
    let get_err = |e: tokio_postgres::Error| StoreError::Io(format!("reading an event: {e}"));
    let schema_version: i64 = row.try_get(5).map_err(get_err)?;
    Ok(RecordedEvent {
        position: to_u64(row.try_get(0).map_err(get_err)?)?,
        stream: row.try_get(1).map_err(get_err)?,
        version: to_u64(row.try_get(2).map_err(get_err)?)?,
        event_id: row.try_get(3).map_err(get_err)?,
        event_type: row.try_get(4).map_err(get_err)?,
        schema_version: u32::try_from(schema_version)
            .map_err(|_| StoreError::Io(format!("negative schema version {schema_version}")))?,
        occurred_at: row.try_get(6).map_err(get_err)?,
        recorded_at: row.try_get(7).map_err(get_err)?,
        actor: Actor::from_tag(row.try_get(8).map_err(get_err)?).map_err(StoreError::Io)?,
        correlation_id: row.try_get(9).map_err(get_err)?,
        causation_id: row.try_get(10).map_err(get_err)?,
        data: row.try_get(11).map_err(get_err)?,
    })
}

/// PostgreSQL would round nanoseconds to microseconds; every backend truncates.
pub(crate) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

pub(crate) fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Invalid(format!("{value} exceeds i64")))
}

pub(crate) fn to_u64(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Io(format!("negative integer in log: {value}")))
}

/// A read limit: `usize::MAX` means "all".
pub(crate) fn limit(max: usize) -> i64 {
    i64::try_from(max).unwrap_or(i64::MAX)
}
