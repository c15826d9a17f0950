//! The PostgreSQL backend: the event log in one table, shared by every servicedesk instance
//! that points at the database.
//!
//! - Appends go through one group-commit task per instance ([`writer`]); each transaction locks
//!   the `log_head` row first, so positions are dense and committed in order across instances:
//!   a follower reading `position > checkpoint` never skips a transaction that commits late.
//! - Expected versions are checked under that lock against the stream's real head.
//! - Followers wake on `LISTEN/NOTIFY` ([`heads`]), with a slow poll as a safety net.
//! - Losing the server turns into [`StoreError::Unavailable`] (503 + Retry-After at the API);
//!   connections are reopened on the next call, so the instance recovers by itself.
//! - The backend owns its schema (`migrations/`), applied at connect.

pub mod bench;
mod codec;
mod connect;
mod errors;
mod heads;
pub mod leases;
mod plan;
mod schema;
pub mod testing;
mod writer;

use async_trait::async_trait;
use codec::{decode, limit, to_i64, COLUMNS};
use errors::{pool_error, store_error};
use servicedesk_store::{
    submit_to_writer, validate_parts, Appended, Clock, EventStore, Position, RecordedEvent,
    StoreError, StreamAppend,
};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
pub use writer::WriteCounters;
use writer::{AppendRequest, Writer, WriterConn};

pub use leases::PostgresLeases;

/// Appends waiting for the writer; past this, `append` waits for room (backpressure).
const QUEUE_CAPACITY: usize = 65_536;
/// Read connections per instance.
const READERS: usize = 8;

pub struct PostgresEventStore {
    config: tokio_postgres::Config,
    pool: deadpool_postgres::Pool,
    requests: Mutex<Option<mpsc::Sender<AppendRequest>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    listener: Mutex<Option<JoinHandle<()>>>,
    stop_listener: watch::Sender<bool>,
    head: watch::Receiver<Position>,
    counters: Arc<WriteCounters>,
}

impl PostgresEventStore {
    /// Connects to the database at `url` (a `postgres://` URL), applies the backend's
    /// migrations and starts the writer and the head listener. `clock` stamps `recorded_at`.
    /// A bad URL is [`StoreError::Invalid`]; a server that cannot be reached is
    /// [`StoreError::Unavailable`], both saying which server.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let config = connect::parse(url)?;
        let mut client = connect::connect(&config).await?;
        schema::migrate(&mut client).await?;
        let last = heads::read_head(&client).await?;
        drop(client);

        let (head_tx, head) = watch::channel(last);
        let head_tx = Arc::new(head_tx);
        let (stop_listener, stop) = watch::channel(false);
        let listener = tokio::spawn(heads::listen(config.clone(), Arc::clone(&head_tx), stop));
        let counters = Arc::new(WriteCounters::default());
        let writer = Writer {
            counters: Arc::clone(&counters),
            config: config.clone(),
            clock,
            head: head_tx,
            conn: Some(WriterConn::open(&config).await?),
        };
        let (requests, queue) = mpsc::channel(QUEUE_CAPACITY);
        let writer = tokio::spawn(writer.run(queue));
        let manager = deadpool_postgres::Manager::from_config(
            config.clone(),
            tokio_postgres::NoTls,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(READERS)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Invalid(format!("PostgreSQL pool: {e}")))?;
        tracing::info!(database = %connect::where_(&config), head = last, "PostgreSQL event log open");
        Ok(Self {
            config,
            pool,
            requests: Mutex::new(Some(requests)),
            writer: Mutex::new(Some(writer)),
            listener: Mutex::new(Some(listener)),
            stop_listener,
            head,
            counters,
        })
    }

    /// How the group commit has grouped appends so far.
    pub fn write_counters(&self) -> &WriteCounters {
        &self.counters
    }

    /// Leases for background processes, on the same database.
    pub fn leases(&self) -> PostgresLeases {
        PostgresLeases::new(self.config.clone())
    }

    async fn reader(&self) -> Result<deadpool_postgres::Object, StoreError> {
        if lock(&self.requests).is_none() {
            return Err(StoreError::Closed);
        }
        self.pool.get().await.map_err(pool_error)
    }

    /// Events selected by `condition` (a WHERE clause with its ORDER BY and LIMIT), on a read
    /// connection, the statement prepared once per connection.
    async fn events(
        &self,
        condition: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let client = self.reader().await?;
        let statement = client
            .prepare_cached(&format!("SELECT {COLUMNS} FROM events {condition}"))
            .await
            .map_err(store_error)?;
        let rows = client
            .query(&statement, params)
            .await
            .map_err(store_error)?;
        rows.iter().map(decode).collect()
    }
}

#[async_trait]
impl EventStore for PostgresEventStore {
    async fn append_many(&self, parts: Vec<StreamAppend>) -> Result<Vec<Appended>, StoreError> {
        validate_parts(&parts)?;
        let queue = lock(&self.requests).clone();
        submit_to_writer(queue, |reply| AppendRequest { parts, reply }).await
    }

    async fn read_stream(
        &self,
        stream: &str,
        from_version: u64,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        self.events(
            "WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3",
            &[&stream, &to_i64(from_version)?, &limit(max)],
        )
        .await
    }

    async fn read_all(
        &self,
        after: Position,
        max: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        self.events(
            "WHERE position > $1 ORDER BY position LIMIT $2",
            &[&to_i64(after)?, &limit(max)],
        )
        .await
    }

    fn head(&self) -> watch::Receiver<Position> {
        self.head.clone()
    }

    async fn close(&self) -> Result<(), StoreError> {
        drop(lock(&self.requests).take());
        let writer = lock(&self.writer).take();
        if let Some(writer) = writer {
            // The writer answers what is queued, then ends with the last sender.
            writer
                .await
                .map_err(|e| StoreError::Io(format!("the writer task failed: {e}")))?;
        }
        let _ = self.stop_listener.send(true);
        let listener = lock(&self.listener).take();
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        self.pool.close();
        Ok(())
    }
}

impl Drop for PostgresEventStore {
    fn drop(&mut self) {
        let _ = self.stop_listener.send(true);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value here is a plain Option, valid whatever a panicking holder did.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
