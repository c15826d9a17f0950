//! The embedded backend: one SQLite file in WAL mode. A single writer thread owns the write
//! connection and commits appends in groups; reads run on a small pool of read-only
//! connections on the blocking thread pool.

pub mod bench;
mod codec;
mod connection;
mod heads;
mod readers;
mod writer;

use crate::{
    Appended, Clock, EventStore, ExpectedVersion, NewEvent, Position, RecordedEvent, StoreError,
};
use async_trait::async_trait;
use connection::io;
use readers::ReaderPool;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, watch};
use writer::{AppendRequest, Writer};

/// Appends waiting for the writer; past this, `append` waits for room (backpressure).
const QUEUE_CAPACITY: usize = 65_536;

pub struct SqliteEventStore {
    path: PathBuf,
    /// None once closed. Each append clones it for the duration of its send, so the writer
    /// ends only after every accepted append is written.
    requests: Mutex<Option<mpsc::Sender<AppendRequest>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<ReaderPool>,
    head: watch::Receiver<Position>,
}

impl SqliteEventStore {
    /// Opens (creating if needed) the log at `path`; `clock` stamps `recorded_at`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let conn = connection::open_writer(path)?;
        let last_position = connection::last_position(&conn)?;
        let (head_tx, head) = watch::channel(last_position);
        let (requests, queue) = mpsc::channel(QUEUE_CAPACITY);
        let writer = Writer {
            conn,
            clock,
            heads: Default::default(),
            last_position,
            head: head_tx,
        };
        let writer = writer::spawn(writer, queue)?;
        Ok(Self {
            path: path.to_owned(),
            requests: Mutex::new(Some(requests)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(ReaderPool::new(path.to_owned())),
            head,
        })
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
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        if events.is_empty() {
            return Err(StoreError::Invalid("no events to append".to_owned()));
        }
        if stream.is_empty() {
            return Err(StoreError::Invalid("empty stream name".to_owned()));
        }
        let requests = lock(&self.requests).clone().ok_or(StoreError::Closed)?;
        let (reply, replied) = oneshot::channel();
        let request = AppendRequest {
            stream: stream.to_owned(),
            expected,
            events,
            reply,
        };
        requests
            .send(request)
            .await
            .map_err(|_| StoreError::Closed)?;
        drop(requests);
        replied
            .await
            .map_err(|_| StoreError::Io("the writer stopped before replying".to_owned()))?
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
        self.read(move |readers| readers.read_stream(&stream, from_version, max))
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
        self.read(move |readers| readers.read_all(after, max)).await
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
            // The writer drains the queue, then sees the channel closed and returns.
            let joined = writer.map(JoinHandle::join);
            readers.close();
            if let Some(Err(_)) = joined {
                return Err(StoreError::Io("the writer thread panicked".to_owned()));
            }
            connection::truncate_wal(&path)
        })
        .await
        .map_err(io)?
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every guarded value here is a plain Option, valid whatever a panicking holder did.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
