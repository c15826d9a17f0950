//! The KurrentDB (formerly EventStoreDB) backend, through the official client.
//!
//! - Streams per aggregate, as named; expected versions are KurrentDB's expected revisions.
//! - The global order is `$all`; a position is an event's commit position there. System
//!   streams (`$...`) and servicedesk's lease streams are left out of `read_all`, which pages
//!   past them, and never ends a page inside a group of events sharing one commit position
//!   (should a server give the events of one append a single commit position, the next page,
//!   which starts after it, would otherwise skip the rest of them; the conformance check
//!   `positions_strictly_increase` tells whether a server does).
//! - The head follows a live `$all` subscription (system events filtered out).
//! - `append_many` of one stream is one append. KurrentDB 25.1's multi-stream append is not in
//!   the Rust client yet, so parts on several streams are checked first (every part's
//!   expected version against the stream as the earlier parts leave it) and then written in
//!   order: a conflict found by the check writes nothing, but a writer that slips in between
//!   check and write can leave the earlier parts written. servicedesk's one multi-stream
//!   writer is the alarm ingestor, whose batches are decided again on a conflict, so a part
//!   written twice is not possible (its expected version refuses it) and a part left out is
//!   written with the retry.
//! - Leases for background processes: [`leases::KurrentLeases`].
//!
//! No KurrentDB server can be installed on the machines this is built on; the conformance
//! suite runs against one where `SERVICEDESK_TEST_KURRENTDB_URL` is set (see the README).

mod codec;
mod errors;
mod head;
pub mod leases;

use async_trait::async_trait;
use codec::{decode, encode};
use errors::store_error;
use kurrentdb::{
    AppendToStreamOptions, Client, ClientSettings, ReadAllOptions, ReadStreamOptions, StreamState,
};
use servicedesk_store::{
    validate_parts, Appended, Clock, EventStore, ExpectedVersion, Position, RecordedEvent,
    StoreError, StreamAppend,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::watch;

pub use leases::KurrentLeases;

pub struct KurrentEventStore {
    client: Client,
    clock: Arc<dyn Clock>,
    head: watch::Receiver<Position>,
    head_tx: Arc<watch::Sender<Position>>,
    closed: AtomicBool,
    follower: tokio::task::JoinHandle<()>,
}

/// Streams servicedesk writes for its own coordination, left out of the global order.
pub(crate) const LEASE_PREFIX: &str = "servicedesk_lease-";

pub(crate) fn is_ours(stream: &str) -> bool {
    !stream.starts_with('$') && !stream.starts_with(LEASE_PREFIX)
}

impl KurrentEventStore {
    /// Connects to `url` (`kurrentdb://host:2113?tls=false`, or `esdb://`), checks the server
    /// answers, and starts following the head.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let url = url.replacen("kurrent://", "kurrentdb://", 1);
        let settings: ClientSettings = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("not a KurrentDB connection URL: {e}")))?;
        let client = Client::new(settings)
            .map_err(|e| StoreError::Invalid(format!("KurrentDB client: {e}")))?;
        let last = head::last_position(&client).await.map_err(|e| match e {
            StoreError::Unavailable(m) | StoreError::Io(m) => {
                StoreError::Unavailable(format!("cannot reach KurrentDB: {m}"))
            }
            other => other,
        })?;
        let (head_tx, head) = watch::channel(last);
        let head_tx = Arc::new(head_tx);
        let follower = tokio::spawn(head::follow(client.clone(), Arc::clone(&head_tx)));
        Ok(Self {
            client,
            clock,
            head,
            head_tx,
            closed: AtomicBool::new(false),
            follower,
        })
    }

    pub fn leases(&self) -> KurrentLeases {
        KurrentLeases::new(self.client.clone(), self.clock.clone())
    }

    fn open(&self) -> Result<(), StoreError> {
        if self.closed.load(Ordering::Acquire) {
            Err(StoreError::Closed)
        } else {
            Ok(())
        }
    }

    /// The stream's last version (None: no stream).
    async fn current_version(&self, stream: &str) -> Result<Option<u64>, StoreError> {
        let options = ReadStreamOptions::default().backwards().max_count(1);
        let mut read = match self.client.read_stream(stream, &options).await {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(None),
            Err(e) => return Err(store_error(stream, e)),
        };
        match read.next().await {
            Ok(Some(event)) => Ok(Some(event.get_original_event().revision)),
            Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => Ok(None),
            Err(e) => Err(store_error(stream, e)),
        }
    }

    async fn append_part(&self, part: &StreamAppend) -> Result<Appended, StoreError> {
        let now = self.clock.now();
        let events = part
            .events
            .iter()
            .map(|e| encode(e, now))
            .collect::<Result<Vec<_>, _>>()?;
        let state = match part.expected {
            ExpectedVersion::Any => StreamState::Any,
            ExpectedVersion::NoStream => StreamState::NoStream,
            ExpectedVersion::StreamExists => StreamState::StreamExists,
            ExpectedVersion::Exact(v) => StreamState::StreamRevision(v),
        };
        let options = AppendToStreamOptions::default().stream_state(state);
        let written = self
            .client
            .append_to_stream(part.stream.as_str(), &options, events)
            .await
            .map_err(|e| store_error(&part.stream, e))?;
        let position = written.position.commit;
        servicedesk_store::advance_head(&self.head_tx, position);
        Ok(Appended {
            version: written.next_expected_version,
            position,
        })
    }
}

#[async_trait]
impl EventStore for KurrentEventStore {
    async fn append_many(&self, parts: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError> {
        self.open()?;
        validate_parts(&parts)?;
        if parts.len() > 1 {
            // Check every part first, as the earlier ones will leave their streams.
            let mut versions: HashMap<&str, Option<u64>> = HashMap::new();
            for part in &parts {
                let current = match versions.get(part.stream.as_str()) {
                    Some(v) => *v,
                    None => self.current_version(&part.stream).await?,
                };
                part.expected.check(&part.stream, current)?;
                let count = part.events.len() as u64;
                versions.insert(
                    part.stream.as_str(),
                    Some(current.map_or(count - 1, |v| v + count)),
                );
            }
        }
        let mut appended = Vec::with_capacity(parts.len());
        for part in &parts {
            appended.push(self.append_part(part).await?);
        }
        Ok(appended)
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.open()?;
        if max == 0 {
            return Ok(Vec::new());
        }
        let options = ReadStreamOptions::default()
            .forwards()
            .position(kurrentdb::StreamPosition::Position(from_version))
            .max_count(max);
        let mut read = match self.client.read_stream(stream, &options).await {
            Ok(read) => read,
            Err(kurrentdb::Error::ResourceNotFound) => return Ok(Vec::new()),
            Err(e) => return Err(store_error(stream, e)),
        };
        let mut events = Vec::new();
        loop {
            match read.next().await {
                Ok(Some(event)) => events.push(decode(event.get_original_event())?),
                Ok(None) | Err(kurrentdb::Error::ResourceNotFound) => return Ok(events),
                Err(e) => return Err(store_error(stream, e)),
            }
        }
    }

    async fn read_all(
        &self,
        after: Position,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.open()?;
        let mut events = Vec::new();
        if max == 0 {
            return Ok(events);
        }
        // Pages of $all from `cursor`, skipping system events, until `max` of ours are read
        // or the log ends: a page of nothing but system events ($stats every 30 s, say) must
        // not look like the end of the log.
        const PAGE: usize = 1024;
        let mut cursor = kurrentdb::Position {
            commit: after,
            prepare: after,
        };
        loop {
            let options = ReadAllOptions::default()
                .forwards()
                .position(kurrentdb::StreamPosition::Position(cursor))
                .max_count(PAGE);
            let mut read = self
                .client
                .read_all(&options)
                .await
                .map_err(|e| store_error("$all", e))?;
            let mut raw = 0;
            // A read includes the event at its start position, already seen.
            let page_start = cursor;
            loop {
                match read.next().await {
                    Ok(Some(resolved)) => {
                        raw += 1;
                        let event = resolved.get_original_event();
                        if event.position > cursor {
                            cursor = event.position;
                        }
                        let seen = event.position <= page_start || event.position.commit <= after;
                        if seen || !is_ours(event.stream_id()) {
                            continue;
                        }
                        // Never end a page inside a group of events that share a commit
                        // position (events of one append may): the next read starts after
                        // that position and would skip the rest of the group.
                        let full = events.len() >= max;
                        let same_commit = events.last().is_some_and(|last: &RecordedEvent| {
                            last.position == event.position.commit
                        });
                        if full && !same_commit {
                            return Ok(events);
                        }
                        events.push(decode(event)?);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(store_error("$all", e)),
                }
            }
            if raw < PAGE {
                return Ok(events);
            }
        }
    }

    fn head(&self) -> watch::Receiver<Position> {
        self.head.clone()
    }

    async fn close(&self) -> Result<(), StoreError> {
        // KurrentDB acknowledges each append once durable; there is nothing to flush.
        self.closed.store(true, Ordering::Release);
        self.follower.abort();
        Ok(())
    }
}

impl Drop for KurrentEventStore {
    fn drop(&mut self) {
        self.follower.abort();
    }
}
