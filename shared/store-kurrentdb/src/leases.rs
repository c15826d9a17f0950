//! Leases on KurrentDB, where there is no lock to hold: a lease is a small stream
//! (`servicedesk_lease-<name>`, capped to its last events) whose last event says who holds it
//! until when. Taking and renewing are appends with the expected revision of the last event,
//! so two instances cannot both take it; the revision of the taking event is the fence. A
//! holder renews every third of the time to live and counts the lease lost when a renewal
//! conflicts (someone took it) or the time ran out without one landing. The checkpoint travels
//! with the renewals, so a new holder resumes at most one renewal period behind, which the
//! processes' idempotent writes make harmless.

use crate::errors::store_error;
use crate::LEASE_PREFIX;
use chrono::{DateTime, Utc};
use kurrentdb::{
    AppendToStreamOptions, Client, EventData, ReadStreamOptions, StreamMetadata, StreamState,
};
use serde::{Deserialize, Serialize};
use servicedesk_store::{Clock, Lease, Leases, Position, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const TIME_TO_LIVE: Duration = Duration::from_secs(10);
const RETRY: Duration = Duration::from_secs(1);

#[derive(Serialize, Deserialize)]
struct Held {
    holder: String,
    until: DateTime<Utc>,
    checkpoint: Position,
}

#[derive(Clone)]
pub struct KurrentLeases {
    client: Client,
    clock: Arc<dyn Clock>,
    holder: String,
}

impl KurrentLeases {
    pub(crate) fn new(client: Client, clock: Arc<dyn Clock>) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
        Self {
            client,
            clock,
            holder: format!("{host}:{}:{}", std::process::id(), uuid::Uuid::new_v4()),
        }
    }
}

async fn last(client: &Client, stream: &str) -> Result<Option<(u64, Held)>, StoreError> {
    let options = ReadStreamOptions::default().backwards().max_count(1);
    let mut read = match client.read_stream(stream, &options).await {
        Ok(read) => read,
        Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
        Err(e) => return Err(store_error(stream, e)),
    };
    match read.next().await {
        Ok(Some(event)) => {
            let event = event.get_original_event();
            let held: Held = serde_json::from_slice(&event.data)
                .map_err(|e| StoreError::Io(format!("{stream}: {e}")))?;
            Ok(Some((event.revision, held)))
        }
        Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => Ok(None),
        Err(e) => Err(store_error(stream, e)),
    }
}

async fn write(
    client: &Client,
    stream: &str,
    after: Option<u64>,
    held: &Held,
) -> Result<u64, StoreError> {
    let event = EventData::json("LeaseHeld", held)
        .map_err(|e| StoreError::Invalid(e.to_string()))?
        .id(uuid::Uuid::new_v4());
    let state = after.map_or(StreamState::NoStream, StreamState::StreamRevision);
    let written = client
        .append_to_stream(
            stream,
            &AppendToStreamOptions::default().stream_state(state),
            event,
        )
        .await
        .map_err(|e| store_error(stream, e))?;
    Ok(written.next_expected_version)
}

#[async_trait::async_trait]
impl Leases for KurrentLeases {
    async fn acquire(&self, name: &str) -> Result<Arc<dyn Lease>, StoreError> {
        let stream = format!("{LEASE_PREFIX}{name}");
        loop {
            let now = self.clock.now();
            let previous = last(&self.client, &stream).await?;
            let free = previous
                .as_ref()
                .is_none_or(|(_, held)| held.until < now || held.holder == self.holder);
            if free {
                let held = Held {
                    holder: self.holder.clone(),
                    until: now + chrono::Duration::from_std(TIME_TO_LIVE).unwrap_or_default(),
                    checkpoint: previous.as_ref().map_or(0, |(_, h)| h.checkpoint),
                };
                match write(
                    &self.client,
                    &stream,
                    previous.as_ref().map(|(v, _)| *v),
                    &held,
                )
                .await
                {
                    Ok(fence) => {
                        if previous.is_none() {
                            let cap = StreamMetadata::builder().max_count(16).build();
                            let _ = self
                                .client
                                .set_stream_metadata(stream.as_str(), &Default::default(), &cap)
                                .await;
                        }
                        let (lost_tx, lost) = watch::channel(false);
                        let lease = Arc::new(KurrentLease {
                            name: name.to_owned(),
                            fence,
                            checkpoint: AtomicU64::new(held.checkpoint),
                            lost,
                        });
                        tokio::spawn(renew(
                            self.clone(),
                            stream,
                            Arc::downgrade(&lease),
                            fence,
                            lost_tx,
                        ));
                        return Ok(lease);
                    }
                    Err(StoreError::Conflict { .. }) => {}
                    Err(other) => return Err(other),
                }
            }
            tokio::time::sleep(RETRY).await;
        }
    }
}

async fn renew(
    leases: KurrentLeases,
    stream: String,
    lease: std::sync::Weak<KurrentLease>,
    mut revision: u64,
    lost: watch::Sender<bool>,
) {
    let mut until =
        leases.clock.now() + chrono::Duration::from_std(TIME_TO_LIVE).unwrap_or_default();
    loop {
        tokio::time::sleep(TIME_TO_LIVE / 3).await;
        let Some(held_lease) = lease.upgrade() else {
            return;
        };
        let now = leases.clock.now();
        let held = Held {
            holder: leases.holder.clone(),
            until: now + chrono::Duration::from_std(TIME_TO_LIVE).unwrap_or_default(),
            checkpoint: held_lease.checkpoint.load(Ordering::Acquire),
        };
        match write(&leases.client, &stream, Some(revision), &held).await {
            Ok(next) => {
                revision = next;
                until = held.until;
            }
            Err(StoreError::Conflict { .. }) => {
                let _ = lost.send(true);
                return;
            }
            Err(error) if now >= until => {
                tracing::warn!(%error, "could not renew the lease in time");
                let _ = lost.send(true);
                return;
            }
            Err(_) => {}
        }
    }
}

struct KurrentLease {
    name: String,
    fence: u64,
    checkpoint: AtomicU64,
    lost: watch::Receiver<bool>,
}

#[async_trait::async_trait]
impl Lease for KurrentLease {
    fn fence(&self) -> u64 {
        self.fence
    }

    fn lost(&self) -> watch::Receiver<bool> {
        self.lost.clone()
    }

    async fn checkpoint(&self) -> Result<Position, StoreError> {
        Ok(self.checkpoint.load(Ordering::Acquire))
    }

    async fn save_checkpoint(&self, position: Position) -> Result<(), StoreError> {
        if *self.lost.borrow() {
            return Err(StoreError::LeaseLost(self.name.clone()));
        }
        self.checkpoint.fetch_max(position, Ordering::AcqRel);
        Ok(())
    }
}
