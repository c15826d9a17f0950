use crate::auth::JwtKeys;
use crate::metrics::Metrics;
use servicedesk_domain::PriorityMatrix;
use servicedesk_projections::{ProjectionHandle, ReadModelDb};
use servicedesk_store::{Clock, EventStore, Position};
use std::sync::Arc;
use std::time::Duration;

/// Settings of the HTTP API that come from configuration.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    pub max_body_bytes: usize,
    pub priority_matrix: PriorityMatrix,
    /// How long a write waits for the read models to include it before answering.
    pub read_your_writes_timeout: Duration,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 1 << 20,
            priority_matrix: PriorityMatrix::default(),
            read_your_writes_timeout: Duration::from_secs(5),
        }
    }
}

/// Everything a handler needs, shared by all workers.
pub struct AppState {
    pub store: Arc<dyn EventStore>,
    pub read_models: ReadModelDb,
    pub projections: ProjectionHandle,
    pub clock: Arc<dyn Clock>,
    pub keys: JwtKeys,
    pub settings: ApiSettings,
    pub metrics: Arc<Metrics>,
    /// The log head when the process started: ready once the read models reached it.
    pub startup_head: Position,
    pub stream_locks: crate::stream_locks::StreamLocks,
    /// Set when the server runs on a manual clock (`SERVICEDESK_CLOCK=manual`): tests move
    /// time through `POST /api/v1/admin/clock` instead of sleeping.
    pub manual_clock: Option<Arc<servicedesk_store::ManualClock>>,
    /// Woken when time moves, so timers (warning grace) fire without waiting for a tick.
    pub time_moved: Arc<tokio::sync::Notify>,
    /// The one writer of alarm streams in this process (webhook deliveries, incident links).
    pub alarm_ingestor: crate::alarms::AlarmIngestor,
}
