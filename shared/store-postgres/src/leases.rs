//! Leases on PostgreSQL: a session advisory lock held on a connection of its own. The server
//! drops the lock when that session ends (a crash, kill -9, a cut network), so a lease never
//! outlives its holder; the holder pings the connection and gives the lease up as soon as the
//! connection fails. Each acquisition bumps the lease row's fence, and checkpoints are saved
//! only under the current fence.

use crate::connect::connect;
use crate::errors::store_error;
use async_trait::async_trait;
use servicedesk_store::{Lease, Leases, Position, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_postgres::{Client, Config};

/// How often a waiting instance tries the lock, and a holder checks its connection.
const RETRY: Duration = Duration::from_secs(1);
const PING: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct PostgresLeases {
    config: Config,
    holder: String,
}

impl PostgresLeases {
    pub(crate) fn new(config: Config) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
        Self {
            config,
            holder: format!("{host}:{}", std::process::id()),
        }
    }
}

/// A stable 64-bit key for the lock (FNV-1a of the name; Rust's hashers are seeded).
fn lock_key(name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("servicedesk-lease:{name}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

#[async_trait]
impl Leases for PostgresLeases {
    async fn acquire(&self, name: &str) -> Result<Arc<dyn Lease>, StoreError> {
        let mut config = self.config.clone();
        // Named, so an operator (or a test) can tell the lease sessions in pg_stat_activity.
        config.application_name(format!("servicedesk lease {name}"));
        let client = connect(&config).await?;
        let key = lock_key(name);
        loop {
            let row = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                .await
                .map_err(store_error)?;
            if row.get::<_, bool>(0) {
                break;
            }
            tokio::time::sleep(RETRY).await;
        }
        let row = client
            .query_one(
                "INSERT INTO leases (name, fence, holder) VALUES ($1, 1, $2)
                 ON CONFLICT (name) DO UPDATE SET fence = leases.fence + 1, holder = $2
                 RETURNING fence",
                &[&name, &self.holder],
            )
            .await
            .map_err(store_error)?;
        let fence: i64 = row.get(0);
        let client = Arc::new(client);
        let (lost_tx, lost) = watch::channel(false);
        tokio::spawn(watch_connection(Arc::downgrade(&client), lost_tx));
        Ok(Arc::new(PostgresLease {
            name: name.to_owned(),
            fence,
            client,
            lost,
        }))
    }
}

/// Pings the lease's connection while the lease exists; a failed ping means the lock may be
/// gone, so the lease counts as lost.
async fn watch_connection(client: std::sync::Weak<Client>, lost: watch::Sender<bool>) {
    loop {
        tokio::time::sleep(PING).await;
        let Some(client) = client.upgrade() else {
            return;
        };
        let alive = tokio::time::timeout(PING * 3, client.simple_query("SELECT 1"))
            .await
            .is_ok_and(|r| r.is_ok());
        if !alive {
            let _ = lost.send(true);
            return;
        }
    }
}

struct PostgresLease {
    name: String,
    fence: i64,
    /// Holds the advisory lock; dropping the last reference closes the session and frees it.
    client: Arc<Client>,
    lost: watch::Receiver<bool>,
}

#[async_trait]
impl Lease for PostgresLease {
    fn fence(&self) -> u64 {
        u64::try_from(self.fence).unwrap_or(0)
    }

    fn lost(&self) -> watch::Receiver<bool> {
        self.lost.clone()
    }

    async fn checkpoint(&self) -> Result<Position, StoreError> {
        let row = self
            .client
            .query_one(
                "SELECT checkpoint FROM leases WHERE name = $1",
                &[&self.name],
            )
            .await
            .map_err(store_error)?;
        crate::codec::to_u64(row.get(0))
    }

    async fn save_checkpoint(&self, position: Position) -> Result<(), StoreError> {
        let position = crate::codec::to_i64(position)?;
        let saved = self
            .client
            .execute(
                "UPDATE leases SET checkpoint = $3 WHERE name = $1 AND fence = $2",
                &[&self.name, &self.fence, &position],
            )
            .await
            .map_err(store_error)?;
        if saved == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost(self.name.clone()))
        }
    }
}
