//! The backend's migrations, applied at connect under an advisory lock so that instances
//! starting together apply each once.

use crate::errors::store_error;
use servicedesk_store::StoreError;
use tokio_postgres::Client;

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_events", include_str!("../migrations/0001_events.sql")),
    (
        "0002_coordination",
        include_str!("../migrations/0002_coordination.sql"),
    ),
];

/// Any fixed number, the same in every instance: the advisory lock key of migrating.
const MIGRATION_LOCK: i64 = 0x5345_5256_4943_4501;

pub(crate) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let txn = client.transaction().await.map_err(store_error)?;
    txn.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(store_error)?;
    txn.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            name TEXT PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .await
    .map_err(store_error)?;
    for (name, sql) in MIGRATIONS {
        let applied = txn
            .query_opt("SELECT 1 FROM schema_migrations WHERE name = $1", &[name])
            .await
            .map_err(store_error)?
            .is_some();
        if !applied {
            tracing::info!(migration = name, "applying PostgreSQL migration");
            txn.batch_execute(sql).await.map_err(store_error)?;
            txn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", &[name])
                .await
                .map_err(store_error)?;
        }
    }
    txn.commit().await.map_err(store_error)
}
