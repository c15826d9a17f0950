//! The conformance suite against KurrentDB, where `SERVICEDESK_TEST_KURRENTDB_URL` names a
//! server (e.g. `kurrentdb://127.0.0.1:2113?tls=false`, as `docker compose --profile kurrentdb
//! up kurrentdb` starts). Without it every check says that it did not run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use servicedesk_store::conformance::Fixture;
use servicedesk_store::{EventStore, SystemClock};
use servicedesk_store_kurrentdb::KurrentEventStore;
use std::sync::Arc;

struct KurrentFixture(Result<Arc<dyn EventStore>, String>);

impl Fixture for KurrentFixture {
    fn store(&self) -> Result<Arc<dyn EventStore>, String> {
        self.0.clone()
    }
}

async fn fixture() -> KurrentFixture {
    let Ok(url) = std::env::var("SERVICEDESK_TEST_KURRENTDB_URL") else {
        return KurrentFixture(Err(
            "SERVICEDESK_TEST_KURRENTDB_URL is not set: no KurrentDB server to test against"
                .to_owned(),
        ));
    };
    // The checks use streams of their own and read the global order from the head they saw,
    // so they share one server.
    let store = KurrentEventStore::connect(&url, Arc::new(SystemClock))
        .await
        .unwrap();
    KurrentFixture(Ok(Arc::new(store)))
}

mod conformance {
    servicedesk_store::conformance_tests!(super::fixture);
}
