//! Our envelope in KurrentDB's terms: the event id, type and JSON data as KurrentDB has them;
//! what KurrentDB has no field for (schema version, occurred/recorded times, actor, correlation
//! and causation) in the event's JSON metadata.

use chrono::{DateTime, Utc};
use kurrentdb::EventData;
use serde::{Deserialize, Serialize};
use servicedesk_store::{Actor, NewEvent, RecordedEvent, StoreError};

#[derive(Serialize, Deserialize)]
struct Metadata {
    schema_version: u32,
    occurred_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
    actor: String,
    correlation_id: uuid::Uuid,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    causation_id: Option<uuid::Uuid>,
}

pub(crate) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

pub(crate) fn encode(
    event: &NewEvent,
    recorded_at: DateTime<Utc>,
) -> Result<EventData, StoreError> {
    let data = serde_json::value::RawValue::from_string(event.data.clone())
        .map_err(|e| StoreError::Invalid(format!("event data is not JSON: {e}")))?;
    let metadata = Metadata {
        schema_version: event.schema_version,
        occurred_at: micros(event.occurred_at),
        recorded_at: micros(recorded_at),
        actor: event.actor.tag(),
        correlation_id: event.correlation_id,
        causation_id: event.causation_id,
    };
    EventData::json(event.event_type.clone(), &data)
        .and_then(|e| e.metadata_as_json(&metadata))
        .map(|e| e.id(event.event_id))
        .map_err(|e| StoreError::Invalid(format!("cannot encode event: {e}")))
}

/// `position` is the event's place in `$all` when the read says it (reads of `$all` do; reads
/// of one stream may not, then 0).
pub(crate) fn decode(event: &kurrentdb::RecordedEvent) -> Result<RecordedEvent, StoreError> {
    let metadata: Metadata = serde_json::from_slice(&event.custom_metadata).map_err(|e| {
        StoreError::Io(format!(
            "event {} in {} has no servicedesk metadata: {e}",
            event.id,
            event.stream_id()
        ))
    })?;
    let data = String::from_utf8(event.data.to_vec())
        .map_err(|e| StoreError::Io(format!("event data is not UTF-8: {e}")))?;
    let position = match event.position.commit {
        u64::MAX => 0,
        commit => commit,
    };
    Ok(RecordedEvent {
        position,
        stream: event.stream_id().to_owned(),
        version: event.revision,
        event_id: event.id,
        event_type: event.event_type.clone(),
        schema_version: metadata.schema_version,
        occurred_at: metadata.occurred_at,
        recorded_at: metadata.recorded_at,
        actor: Actor::from_tag(&metadata.actor).map_err(StoreError::Io)?,
        correlation_id: metadata.correlation_id,
        causation_id: metadata.causation_id,
        data,
    })
}
