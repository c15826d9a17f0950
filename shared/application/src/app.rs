//! The application and its ports, and the background processes it starts.

use crate::alarms::{reactor, AlarmIngestor};
use crate::integrations::IntegrationCache;
use crate::stream_locks::StreamLocks;
use crate::{AppError, Ids, UuidV7Ids, WriteMetrics};
use servicedesk_domain::{DecisionContext, PriorityMatrix};
use servicedesk_projections::{
    follow_repeat_counts, ProjectionError, ProjectionHandle, ProjectionRunner, ReadModelDb,
};
use servicedesk_store::{Clock, EventStore, Leases, Position};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// Settings of the application that come from configuration.
#[derive(Debug, Clone)]
pub struct AppSettings {
    pub priority_matrix: PriorityMatrix,
    /// How long a write waits for the read models to include it before answering.
    pub read_your_writes_timeout: Duration,
    /// Other instances write the same log (a shared backend): state kept in memory must be
    /// checked against what they write.
    pub shared_log: bool,
    pub notifications: crate::notifier::NotificationSettings,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            priority_matrix: PriorityMatrix::default(),
            read_your_writes_timeout: Duration::from_secs(5),
            shared_log: false,
            notifications: Default::default(),
        }
    }
}

/// Everything a command or a query needs; one per process, shared by all requests and
/// background processes.
pub struct App {
    pub store: Arc<dyn EventStore>,
    /// Which instance runs the processes that must act once (the alarm reactor).
    pub leases: Arc<dyn Leases>,
    pub read_models: ReadModelDb,
    /// How far the read models have got (read-your-writes waits on it).
    pub projections: ProjectionHandle,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub settings: AppSettings,
    pub metrics: WriteMetrics,
    /// Woken when a manual clock moves, so timers (warning grace) fire without a tick.
    pub time_moved: Arc<Notify>,
    /// The one writer of alarm streams in this process (deliveries, incident links).
    pub alarms: AlarmIngestor,
    /// The log head when the process started: ready once the read models reached it.
    pub startup_head: Position,
    pub(crate) stream_locks: StreamLocks,
    pub(crate) integrations: IntegrationCache,
}

/// The background tasks of a started [`App`].
pub struct Background {
    stop: watch::Sender<bool>,
    reactor: JoinHandle<()>,
    sla_scheduler: JoinHandle<()>,
    notifier: JoinHandle<()>,
    ingestor: JoinHandle<()>,
    projections: JoinHandle<()>,
    repeat_counts: JoinHandle<()>,
}

impl App {
    /// Starts the read models' projections, the alarm ingestor, the alarm reactor and the SLA
    /// scheduler.
    pub fn start(
        store: Arc<dyn EventStore>,
        leases: Arc<dyn Leases>,
        read_models: ReadModelDb,
        clock: Arc<dyn Clock>,
        settings: AppSettings,
    ) -> Result<(Arc<App>, Background), AppError> {
        let (stop, stopped) = watch::channel(false);
        let startup_head = *store.head().borrow();
        let (projections, projections_task) =
            ProjectionRunner::start(store.clone(), read_models.clone(), stopped.clone())?;
        let repeat_counts =
            follow_repeat_counts(store.clone(), read_models.clone(), stopped.clone());
        let (alarms, ingestor) =
            AlarmIngestor::spawn(store.clone(), clock.clone(), settings.shared_log);
        let app = Arc::new(App {
            store,
            leases,
            read_models,
            projections,
            clock,
            ids: Arc::new(UuidV7Ids),
            settings,
            metrics: WriteMetrics::default(),
            time_moved: Arc::default(),
            alarms,
            startup_head,
            stream_locks: StreamLocks::default(),
            integrations: IntegrationCache::default(),
        });
        // Alarms become incidents in the background, from the log: a webhook answers once its
        // alarm is durable, not once its incident exists.
        let reactor = reactor::spawn(app.clone(), stopped.clone());
        let sla_scheduler = crate::sla_scheduler::spawn(app.clone(), stopped.clone());
        let notifier = crate::notifier::spawn(app.clone(), stopped);
        let background = Background {
            stop,
            reactor,
            sla_scheduler,
            notifier,
            ingestor,
            projections: projections_task,
            repeat_counts,
        };
        Ok((app, background))
    }

    pub(crate) fn decision_context(&self, now: chrono::DateTime<chrono::Utc>) -> DecisionContext {
        DecisionContext {
            now,
            priority_matrix: self.settings.priority_matrix.clone(),
        }
    }

    /// Waits until the read models include `position`, however long that takes (a follower
    /// that reads them must not act on an older state).
    pub(crate) async fn wait_for_read_models_patiently(&self, position: Position) {
        while !self
            .projections
            .wait_for(position, Duration::from_secs(5))
            .await
        {
            tracing::warn!(position, "waiting for the read models");
        }
    }

    /// Runs a read-model query off the async threads.
    pub async fn query<T: Send + 'static>(
        &self,
        query: impl FnOnce(&ReadModelDb) -> Result<T, ProjectionError> + Send + 'static,
    ) -> Result<T, AppError> {
        let db = self.read_models.clone();
        tokio::task::spawn_blocking(move || query(&db))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::from)
    }
}

/// How long the ingestor may take to answer its last batches once every handle is gone.
const INGESTOR_GRACE: Duration = Duration::from_secs(30);

impl Background {
    /// Stops the processes once nothing sends commands any more (the HTTP server has
    /// stopped). One signal stops the followers (reactor, projections, repeat counts) between
    /// batches; then, with the reactor and `app` (the last handles to the ingestor) dropped,
    /// the ingestor answers its last batches and ends. What it appends after the projections
    /// stopped is durable and projected at the next start.
    pub async fn stop(self, app: Arc<App>) {
        let _ = self.stop.send(true);
        let _ = self.reactor.await;
        let _ = self.sla_scheduler.await;
        let _ = self.notifier.await;
        drop(app);
        if tokio::time::timeout(INGESTOR_GRACE, self.ingestor)
            .await
            .is_err()
        {
            tracing::warn!("the alarm ingestor did not stop: something still holds the app");
        }
        let _ = self.projections.await;
        let _ = self.repeat_counts.await;
    }
}
