//! The one way to follow the log. A projection, a reactor or a scheduler is a [`Follower`]: it
//! says where it left off, handles batches of events, and may be woken by time. [`follow`]
//! catches it up from its checkpoint, follows the head, wakes it, and after a failure restarts
//! it from its checkpoint a second later, until told to stop.

use crate::{EventStore, Position, RecordedEvent, StoreError, Subscription};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

#[async_trait]
pub trait Follower: Send + 'static {
    type Error: std::fmt::Display + From<StoreError> + Send;

    /// Names the follower in logs.
    fn name(&self) -> &'static str;

    /// Where to go on from: the position of the last event it has handled for good (its
    /// checkpoint). Called at start and after every failure, so it also drops whatever a
    /// failure left half done.
    async fn resume(&mut self) -> Result<Position, Self::Error>;

    /// The next events after the checkpoint, in log order.
    async fn handle(&mut self, events: Vec<RecordedEvent>) -> Result<(), Self::Error>;

    /// Woken by its tick or its wake-up signal (time moved) rather than by events.
    async fn wake(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Called once when told to stop (not after a failure): a last chance to write.
    async fn stop(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// How a follower is fed.
#[derive(Clone, Default)]
pub struct FollowOptions {
    /// Events read at once at most.
    pub batch: usize,
    /// Wakes the follower this often (timers, periodic flushes).
    pub tick: Option<Duration>,
    /// Wakes the follower when notified (e.g. a manual clock moved).
    pub wake: Option<Arc<Notify>>,
    /// The shortest time between two batches while the log is busy; a batch that found the
    /// log quiet (fewer events than `batch`) is handed over at once either way.
    pub pace: Duration,
}

/// Runs `follower` until `stop` turns true.
pub async fn follow<F: Follower>(
    store: Arc<dyn EventStore>,
    mut follower: F,
    options: FollowOptions,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match run(&store, &mut follower, &options, &mut stop).await {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(follower = follower.name(), error = %e, "failed; restarting from its checkpoint");
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

enum Wake {
    Stop,
    Events(Result<Vec<RecordedEvent>, StoreError>),
    Time,
}

async fn run<F: Follower>(
    store: &Arc<dyn EventStore>,
    follower: &mut F,
    options: &FollowOptions,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), F::Error> {
    let from = follower.resume().await?;
    let batch = options.batch.max(1);
    let mut subscription = Subscription::new(store.clone(), from, batch);
    let mut tick = options.tick.map(tokio::time::interval);
    let mut paced_until: Option<Instant> = None;
    loop {
        // Only decide what woke us inside `select!`: its futures (one holds a watch guard)
        // must be gone before the awaits that handle the wake-up.
        let wake = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => Wake::Stop,
            _ = ticked(&mut tick) => Wake::Time,
            _ = notified(options.wake.as_deref()) => Wake::Time,
            events = next_batch(&mut subscription, paced_until) => Wake::Events(events),
        };
        match wake {
            Wake::Stop => return follower.stop().await,
            Wake::Time => follower.wake().await?,
            Wake::Events(events) => {
                let events = events?;
                // Counted from when the batch arrived, so a slow batch is not paced twice.
                let arrived = Instant::now();
                let busy = events.len() >= batch;
                follower.handle(events).await?;
                paced_until = (!busy && !options.pace.is_zero()).then(|| arrived + options.pace);
            }
        }
    }
}

async fn next_batch(
    subscription: &mut Subscription,
    paced_until: Option<Instant>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    if let Some(at) = paced_until {
        tokio::time::sleep_until(at).await;
    }
    subscription.next_batch().await
}

async fn ticked(tick: &mut Option<tokio::time::Interval>) {
    match tick {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn notified(wake: Option<&Notify>) {
    match wake {
        Some(notify) => notify.notified().await,
        None => std::future::pending().await,
    }
}
