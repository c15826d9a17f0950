//! The conformance suite against PostgreSQL (a fresh database per check on the server named by
//! `SERVICEDESK_TEST_POSTGRES_URL`). What only a shared server
//! shows (several instances, leases, lost connections) is in `postgres_instances.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use servicedesk_store::conformance::Fixture;
use servicedesk_store::{EventStore, SystemClock};
use servicedesk_store_postgres::{testing, PostgresEventStore};
use std::sync::Arc;

struct PostgresFixture(Result<Arc<dyn EventStore>, String>);

impl Fixture for PostgresFixture {
    fn store(&self) -> Result<Arc<dyn EventStore>, String> {
        self.0.clone()
    }
}

async fn fixture() -> PostgresFixture {
    let url = match testing::server_url() {
        Ok(url) => url,
        Err(reason) => return PostgresFixture(Err(reason)),
    };
    let database = testing::fresh_database(&url).await.unwrap();
    let store = PostgresEventStore::connect(&database, Arc::new(SystemClock))
        .await
        .unwrap();
    PostgresFixture(Ok(Arc::new(store)))
}

mod conformance {
    servicedesk_store::conformance_tests!(super::fixture);
}
