//! Which event log to use, chosen by URL (`--event-store` / `SERVICEDESK_EVENT_STORE`):
//! unset, the embedded SQLite file in the data dir; `postgres://` (or `postgresql://`), a
//! PostgreSQL database shared by every instance pointing at it; `kurrentdb://` (or `esdb://`),
//! a KurrentDB cluster.

use crate::data_dir::DataDir;
use crate::failure::{Failure, Result};
use servicedesk_store::{Clock, EventStore, Leases};
use servicedesk_store_postgres::PostgresEventStore;
use servicedesk_store_sqlite::SqliteEventStore;
use std::sync::Arc;

pub const SETTING: &str = "SERVICEDESK_EVENT_STORE (--event-store)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres(String),
    KurrentDb(String),
}

impl Backend {
    pub fn from_setting(setting: Option<&str>) -> Result<Self> {
        let Some(url) = setting.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Self::Sqlite);
        };
        let scheme = url.split_once("://").map(|(scheme, _)| scheme);
        match scheme {
            Some("postgres" | "postgresql") => Ok(Self::Postgres(url.to_owned())),
            Some("kurrentdb" | "kurrent" | "esdb" | "esdb+discover") => {
                Ok(Self::KurrentDb(url.to_owned()))
            }
            Some("sqlite") => Ok(Self::Sqlite),
            _ => Err(Failure(format!(
                "{SETTING}: {:?} is not an event store URL; use postgres://..., kurrentdb://... \
                 or leave it unset for the embedded SQLite log in the data dir",
                redact(url)
            ))),
        }
    }
}

/// The opened log, and the leases of a shared one (None: one process, leases are local).
pub struct Opened {
    pub store: Arc<dyn EventStore>,
    pub leases: Option<Arc<dyn Leases>>,
}

pub async fn open(backend: &Backend, dir: &DataDir, clock: Arc<dyn Clock>) -> Result<Opened> {
    match backend {
        Backend::Sqlite => Ok(Opened {
            store: Arc::new(SqliteEventStore::open(&dir.events_db(), clock)?),
            leases: None,
        }),
        Backend::Postgres(url) => {
            let store = PostgresEventStore::connect(url, clock)
                .await
                .map_err(|e| Failure(format!("{SETTING}: {}", plainly(e))))?;
            let leases: Arc<dyn Leases> = Arc::new(store.leases());
            Ok(Opened {
                store: Arc::new(store),
                leases: Some(leases),
            })
        }
        #[cfg(feature = "kurrentdb")]
        Backend::KurrentDb(url) => {
            let store = servicedesk_store_kurrentdb::KurrentEventStore::connect(url, clock)
                .await
                .map_err(|e| Failure(format!("{SETTING}: {}", plainly(e))))?;
            let leases: Arc<dyn Leases> = Arc::new(store.leases());
            Ok(Opened {
                store: Arc::new(store),
                leases: Some(leases),
            })
        }
        #[cfg(not(feature = "kurrentdb"))]
        Backend::KurrentDb(_) => Err(Failure(format!(
            "{SETTING}: this servicedesk was built without the KurrentDB backend; build it \
             with `cargo build --release --features kurrentdb` (the Dockerfile: FEATURES=kurrentdb)"
        ))),
    }
}

/// The store's message without the variant's prefix ("invalid append: ...").
fn plainly(e: servicedesk_store::StoreError) -> String {
    use servicedesk_store::StoreError;
    match e {
        StoreError::Invalid(message) | StoreError::Unavailable(message) => message,
        other => other.to_string(),
    }
}

/// A URL as it may be printed: without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(Backend::from_setting(None).unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_setting(Some(" ")).unwrap(), Backend::Sqlite);
        assert!(matches!(
            Backend::from_setting(Some("postgres://u@h/db")).unwrap(),
            Backend::Postgres(_)
        ));
        assert!(matches!(
            Backend::from_setting(Some("kurrentdb://h:2113?tls=false")).unwrap(),
            Backend::KurrentDb(_)
        ));
    }

    #[test]
    fn an_unknown_scheme_names_the_setting_and_hides_the_password() {
        let error = Backend::from_setting(Some("mysql://root:hunter2@db/x"))
            .unwrap_err()
            .0;
        assert!(error.starts_with("SERVICEDESK_EVENT_STORE"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
