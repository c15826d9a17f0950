//! The shape of the small read models (integrations, problems): one row per aggregate, its
//! state kept as a JSON document beside a few filter columns. Such aggregates change rarely, so
//! each event reads and writes its row; the projections differ only in their table and columns.

use crate::ProjectionError;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use servicedesk_domain::codec::StoredEvent;
use servicedesk_store::RecordedEvent;

pub(crate) trait RowPerAggregate {
    type Event: StoredEvent;
    type State: Serialize + DeserializeOwned;
    /// A table with `id` and `doc` columns.
    const TABLE: &'static str;
    const STREAM_PREFIX: &'static str;

    fn version(state: &Self::State) -> u64;
    fn evolve(
        state: Option<Self::State>,
        event: &Self::Event,
        at: DateTime<Utc>,
    ) -> Option<Self::State>;
    /// Upserts the row of `state`, whose document is `doc`.
    fn store(conn: &Connection, state: &Self::State, doc: &str) -> Result<(), ProjectionError>;
}

/// Whether a log event belongs to this projection (so a rebuild can hand it over).
pub(crate) fn concerns<P: RowPerAggregate>(recorded: &RecordedEvent) -> bool {
    recorded.stream.starts_with(P::STREAM_PREFIX)
}

/// Applies the projection's events of a batch inside the caller's transaction.
pub(crate) fn apply<P: RowPerAggregate>(
    conn: &Connection,
    events: &[RecordedEvent],
) -> Result<(), ProjectionError> {
    for recorded in events {
        let Some(id) = recorded.stream.strip_prefix(P::STREAM_PREFIX) else {
            continue;
        };
        let event = match P::Event::from_stored(
            &recorded.event_type,
            recorded.schema_version,
            &recorded.data,
        ) {
            Ok(event) => event,
            Err(unknown) => {
                tracing::warn!(position = recorded.position, table = P::TABLE, %unknown, "skipping unreadable event");
                continue;
            }
        };
        let state: Option<P::State> = load(conn, P::TABLE, id)?;
        if state
            .as_ref()
            .is_some_and(|s| recorded.version <= P::version(s))
        {
            continue; // already applied: redelivery is harmless
        }
        if let Some(after) = P::evolve(state, &event, recorded.occurred_at) {
            let doc = serde_json::to_string(&after)
                .map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
            P::store(conn, &after, &doc)?;
        }
    }
    Ok(())
}

/// The state in `table`'s row `id`, from its document.
pub(crate) fn load<S: DeserializeOwned>(
    conn: &Connection,
    table: &str,
    id: &str,
) -> Result<Option<S>, ProjectionError> {
    let doc: Option<String> = conn
        .prepare_cached(&format!("SELECT doc FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    doc.map(|d| {
        serde_json::from_str(&d).map_err(|e| ProjectionError::Corrupt(format!("{table} {id}: {e}")))
    })
    .transpose()
}
