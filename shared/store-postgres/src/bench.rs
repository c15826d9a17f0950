//! The ceiling the store's benchmark is measured against: the same rows into the same table,
//! by plain batched `INSERT ... SELECT FROM unnest(...)` transactions on one connection, with
//! no queue, no lock on the head, no version checks and no replies. Each commit is durable
//! (`synchronous_commit` as the server has it, on by default), as a store's must be.

use crate::plan::Columns;
use crate::{connect, schema};
use servicedesk_store::{NewEvent, StoreError};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Inserts `events` into the (empty) log of the database at `url`, `batch_size` rows per
/// transaction, and returns the time the inserts and commits took.
pub async fn raw_batched_inserts(
    url: &str,
    events: &[(String, NewEvent)],
    batch_size: usize,
) -> Result<Duration, StoreError> {
    let config = connect::parse(url)?;
    let mut client = connect::connect(&config).await?;
    schema::migrate(&mut client).await?;
    let insert = client
        .prepare(
            "INSERT INTO events (position, stream, version, event_id, event_type,
                schema_version, occurred_at, recorded_at, actor, correlation_id, causation_id, data)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[],
                $5::text[], $6::bigint[], $7::timestamptz[], $8::timestamptz[], $9::text[],
                $10::uuid[], $11::uuid[], $12::text[])",
        )
        .await
        .map_err(crate::errors::store_error)?;
    let recorded_at = crate::codec::micros(chrono::Utc::now());
    let mut versions: HashMap<&str, u64> = HashMap::new();
    let mut position = 0u64;
    let started = Instant::now();
    for chunk in events.chunks(batch_size.max(1)) {
        let mut rows = Columns::default();
        for (stream, event) in chunk {
            let version = versions.entry(stream.as_str()).or_insert(0);
            position += 1;
            rows.push(position, stream, *version, event, recorded_at)?;
            *version += 1;
        }
        let txn = client
            .transaction()
            .await
            .map_err(crate::errors::store_error)?;
        txn.execute(&insert, &rows.params())
            .await
            .map_err(crate::errors::store_error)?;
        txn.commit().await.map_err(crate::errors::store_error)?;
    }
    Ok(started.elapsed())
}
