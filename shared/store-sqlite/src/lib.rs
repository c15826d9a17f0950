//! The embedded backend: one SQLite file in WAL mode. A single writer thread owns the write
//! connection and commits appends in groups without waiting for the disk; a syncer thread
//! fsyncs the WAL once for all batches committed meanwhile, publishes the durable head and
//! acknowledges them (pipelined group commit). Reads run on a small pool of read-only
//! connections on the blocking thread pool and never return events past the durable head.

pub mod bench;
mod codec;
mod connection;
mod heads;
mod readers;
mod stats;
mod syncer;
mod writer;

pub use stats::WriteStats;

use async_trait::async_trait;
use connection::{io, Synchronous};
use readers::ReaderPool;
use servicedesk_store::{
    submit_to_writer, validate_parts, Appended, Clock, EventStore, Position, RecordedEvent,
    StoreError, StreamAppend,
};
use stats::Counters;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use syncer::{Failed, Syncer};
use tokio::sync::{mpsc, watch};
use writer::{AppendRequest, Writer};

/// Appends waiting for the writer; past this, `append` waits for room (backpressure).
const QUEUE_CAPACITY: usize = 65_536;

pub struct SqliteEventStore {
    path: PathBuf,
    /// None once closed. Each append clones it for the duration of its send, so the writer
    /// ends only after every accepted append is written.
    requests: Mutex<Option<mpsc::Sender<AppendRequest>>>,
    /// The writer thread; it joins the syncer before it ends.
    writer: Mutex<Option<JoinHandle<Result<(), StoreError>>>>,
    readers: Arc<ReaderPool>,
    /// The durable head, published by the syncer.
    head: watch::Receiver<Position>,
    stats: Arc<Counters>,
}

impl SqliteEventStore {
    /// Opens (creating if needed) the log at `path`; `clock` stamps `recorded_at`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let conn = connection::open_writer(path, Synchronous::Normal)?;
        // Reading the log also creates the WAL file the syncer opens.
        let last_position = connection::last_position(&conn)?;
        let (head_tx, head) = watch::channel(last_position);
        let stats = Arc::new(Counters::default());
        let failed = Failed::default();
        let wal = connection::wal_path(path);
        let syncer = Syncer::open(&wal, head_tx, failed.clone(), Arc::clone(&stats))?.spawn()?;
        let (requests, queue) = mpsc::channel(QUEUE_CAPACITY);
        let writer = Writer {
            conn,
            clock,
            heads: Default::default(),
            last_position,
            syncer,
            failed,
            stats: Arc::clone(&stats),
        };
        let writer = writer::spawn(writer, queue)?;
        Ok(Self {
            path: path.to_owned(),
            requests: Mutex::new(Some(requests)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(ReaderPool::new(path.to_owned())),
            head,
            stats,
        })
    }

    /// How the write path has grouped appends so far.
    pub fn write_stats(&self) -> WriteStats {
        self.stats.snapshot()
    }

    /// The durable head as of now; reads return nothing past it.
    fn durable_head(&self) -> Position {
        *self.head.borrow()
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&ReaderPool) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || f(&readers))
            .await
            .map_err(io)?
    }
}

#[async_trait]
impl EventStore for SqliteEventStore {
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
        let stream = stream.to_owned();
        let head = self.durable_head();
        self.read(move |readers| readers.read_stream(&stream, from_version, max, head))
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
        let head = self.durable_head();
        self.read(move |readers| readers.read_all(after, max, head))
            .await
    }

    fn head(&self) -> watch::Receiver<Position> {
        self.head.clone()
    }

    async fn close(&self) -> Result<(), StoreError> {
        drop(lock(&self.requests).take());
        let writer = lock(&self.writer).take();
        let readers = Arc::clone(&self.readers);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            // The writer drains the queue, sees the channel closed, lets the syncer sync and
            // answer the last batches, joins it and returns.
            let joined = writer.map(JoinHandle::join);
            readers.close();
            match joined {
                Some(Err(_)) => Err(StoreError::Io("the writer thread panicked".to_owned())),
                // After a failed fsync, leave the WAL alone for the next open to recover.
                Some(Ok(Err(error))) => Err(error),
                Some(Ok(Ok(()))) | None => connection::truncate_wal(&path),
            }
        })
        .await
        .map_err(io)?
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value here is a plain Option, valid whatever a panicking holder did.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
