//! Scratch timing harness: rebuilds a read model from an existing events.db.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use servicedesk_store::{EventStore, SystemClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::path::PathBuf;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("dir with events.db"));
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.join("events.db"), Arc::new(SystemClock)).unwrap());
    let r = servicedesk_projections::rebuild(store.clone(), &dir.join("rebuilt.db"))
        .await
        .unwrap();
    let secs = r.elapsed.as_secs_f64();
    println!(
        "{} events in {secs:.2}s = {:.0} events/s",
        r.events,
        r.events as f64 / secs
    );
    store.close().await.unwrap();
}
