//! Records canonical alarms in their streams. Each alarm's stream is loaded, the delivery
//! decided, and the events appended with the expected version; the caller answers only after
//! every append is durable.

use crate::error::ApiError;
use crate::extract::CorrelationId;
use crate::state::AppState;
use servicedesk_alarms::CanonicalAlarm;
use servicedesk_domain::alarm::{decide, evolve, Alarm, AlarmCommand, AlarmId, ReceiveAlarm};
use servicedesk_domain::integration::Integration;
use servicedesk_store::{Actor, ActorKind, ExpectedVersion, StoreError};

/// Stream lock, load, decide, append; a lost race (another process) is decided again.
const ATTEMPTS: usize = 5;

pub struct Ingested {
    pub alarms: usize,
    pub events: usize,
}

/// The alarms of one payload are recorded concurrently: different streams share the store's
/// group commit; two alerts of one alarm queue on its stream lock.
pub async fn ingest(
    state: &AppState,
    integration: &Integration,
    correlation: CorrelationId,
    alarms: Vec<CanonicalAlarm>,
) -> Result<Ingested, ApiError> {
    let count = alarms.len();
    let written = futures_util::future::try_join_all(
        alarms
            .into_iter()
            .map(|alarm| ingest_one(state, integration, correlation, alarm)),
    )
    .await?;
    Ok(Ingested {
        alarms: count,
        events: written.into_iter().sum(),
    })
}

/// Recently written alarm states; dropped wholesale past a bound (a miss costs one read).
#[derive(Default)]
pub struct AlarmCache {
    states: std::sync::Mutex<std::collections::HashMap<AlarmId, Alarm>>,
}

const CACHE_LIMIT: usize = 100_000;

impl AlarmCache {
    fn get(&self, id: AlarmId) -> Option<Alarm> {
        self.states.lock().ok()?.get(&id).cloned()
    }

    fn put(&self, alarm: Alarm) {
        if let Ok(mut states) = self.states.lock() {
            if states.len() >= CACHE_LIMIT {
                states.clear();
            }
            states.insert(alarm.id, alarm);
        }
    }

    fn forget(&self, id: AlarmId) {
        if let Ok(mut states) = self.states.lock() {
            states.remove(&id);
        }
    }
}

async fn ingest_one(
    state: &AppState,
    integration: &Integration,
    correlation: CorrelationId,
    alarm: CanonicalAlarm,
) -> Result<usize, ApiError> {
    let id = AlarmId::for_key(integration.id.0, &alarm.fingerprint);
    let stream = id.stream();
    let command = AlarmCommand::Receive(Box::new(ReceiveAlarm {
        integration: integration.id.0,
        alarm,
        flap_thresholds: integration.rules.flap_thresholds(),
    }));
    let _guard = state.stream_locks.lock(&stream).await;
    for _ in 0..ATTEMPTS {
        let current = match state.alarm_cache.get(id) {
            Some(cached) => Some(cached),
            None => load(state, &stream).await?,
        };
        let now = state.clock.now();
        let events = decide(current.as_ref(), &command, now)?;
        if events.is_empty() {
            return Ok(0);
        }
        let envelopes = crate::streams::envelopes(
            &events,
            now,
            &Actor {
                kind: ActorKind::Integration,
                id: integration.id.to_string(),
            },
            correlation.0,
            None,
        );
        let expected = current.as_ref().map_or(ExpectedVersion::NoStream, |a| {
            ExpectedVersion::Exact(a.version)
        });
        match state.store.append(&stream, expected, envelopes).await {
            Ok(_) => {
                if let Some(after) = events.iter().fold(current, |s, e| evolve(s, e, now)) {
                    state.alarm_cache.put(after);
                }
                return Ok(events.len());
            }
            // Someone else wrote the stream (the reactor links incidents): read it afresh.
            Err(StoreError::Conflict { .. }) => state.alarm_cache.forget(id),
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the alarm kept changing under concurrent deliveries; retry".to_owned(),
    ))
}

async fn load(state: &AppState, stream: &str) -> Result<Option<Alarm>, ApiError> {
    crate::streams::load(state, stream, evolve).await
}
