//! The alarm ingestor: the one writer of alarm streams in this process. Webhook handlers hand
//! it parsed deliveries and the reactor hands it incident links; it takes whatever is queued as
//! one batch, decides every delivery against the alarm states it keeps in memory, and writes
//! the whole batch in one `append_many`: each alarm's changes of state in its own stream, and
//! the batch's repeats as one event of the repeat journal (see `domain::alarm::journal`). Each
//! caller hears back once the batch is durable.
//!
//! Batches are pipelined: while one is being made durable the next is decided on the states
//! the first left in memory. Expected versions guard every alarm stream, so a state that turns
//! out wrong (the earlier batch failed, or another process wrote the stream) fails its batch
//! with a conflict; its alarms are then reloaded from the log and its deliveries decided again.
//! A delivery that changes nothing (a resolve for an alarm already resolved) writes nothing and
//! is answered in order after the batches before it.
//!
//! On a log other instances write too, a state in memory can also go stale without any append
//! of ours failing: a repeat goes to the journal, not the alarm's stream, so nothing would tell
//! this instance that another one resolved the alarm meanwhile. There the ingestor follows the
//! log and forgets every alarm whose stream moved past the version it holds; the next delivery
//! reads it afresh. (What is left is the moment between the other instance's commit and this
//! one reading it, a few milliseconds in which a delivery is decided on the older state.)

use crate::streams::{envelopes, fold, Provenance};
use crate::AppError;
use chrono::{DateTime, Utc};
use futures_util::stream::{FuturesOrdered, StreamExt};
use servicedesk_domain::alarm::journal::{apply_repeat, split_repeat, RepeatJournal};
use servicedesk_domain::alarm::{
    decide, decide_delivery, evolve, journal, Alarm, AlarmCommand, AlarmEvent, AlarmId,
    CanonicalAlarm, ReceiveAlarm,
};
use servicedesk_domain::incident::IncidentId;
use servicedesk_domain::integration::Integration;
use servicedesk_store::{
    Actor, ActorKind, Appended, Clock, EventStore, ExpectedVersion, NewEvent, StoreError,
    StreamAppend,
};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Jobs taken into one batch at most: bounds the time to the first reply.
const MAX_BATCH_JOBS: usize = 1024;
/// Batches being made durable at once. Two overlap deciding with the disk; more only queue in
/// the store.
const MAX_IN_FLIGHT: usize = 4;
/// Tries of one job whose batch met a conflict, before it is refused as retryable (503). One
/// conflicting alarm sends its whole batch round again; with two instances taking the same
/// alarms (a load balancer in front), three tries left 6 of ~35,000 posts refused under the
/// benchmark's load (`servicedesk-bench --postgres`), five none.
const ATTEMPTS: usize = 5;
/// Alarm states kept in memory; past this they are dropped wholesale (a miss is one read).
const STATE_LIMIT: usize = 200_000;
const QUEUE: usize = 8192;

pub struct Ingested {
    pub alarms: usize,
    /// Events decided for the delivery's alarms (repeats included).
    pub events: usize,
}

/// Why a job was not recorded; one failed append answers a whole batch, hence `Clone`.
#[derive(Debug, Clone)]
pub enum IngestError {
    Store(StoreError),
    /// The ingestor stopped (the server is shutting down).
    Stopped,
    /// Conflicts kept coming back: another process writes the same alarms.
    Contended,
}

impl From<IngestError> for AppError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Store(store) => store.into(),
            IngestError::Stopped => Self::Unavailable("the server is shutting down".to_owned()),
            IngestError::Contended => Self::Unavailable(
                "the alarm kept changing under concurrent deliveries; retry".to_owned(),
            ),
        }
    }
}

/// The handle handlers and the reactor use; cheap to clone.
#[derive(Clone)]
pub struct AlarmIngestor {
    jobs: mpsc::Sender<Job>,
}

struct Delivery {
    integration: uuid::Uuid,
    provenance: Provenance,
    alarms: Vec<ReceiveAlarm>,
}

enum Work {
    Deliver(Delivery),
    Link {
        alarm: AlarmId,
        incident: IncidentId,
        correlation: uuid::Uuid,
        causation: Option<uuid::Uuid>,
    },
}

struct Job {
    work: Work,
    attempts: usize,
    reply: oneshot::Sender<Result<usize, IngestError>>,
}

impl AlarmIngestor {
    /// Starts the ingestor task; it ends once every handle is dropped and its last batch is
    /// answered.
    ///
    /// With `shared_log`, other processes write the same log and the ingestor follows it to
    /// forget the alarms they changed.
    pub fn spawn(
        store: Arc<dyn EventStore>,
        clock: Arc<dyn Clock>,
        shared_log: bool,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let changed = shared_log.then(|| follow_alarm_changes(Arc::clone(&store)));
        let ingestor = Ingestor {
            store,
            clock,
            states: HashMap::default(),
        };
        (Self { jobs }, tokio::spawn(ingestor.run(queue, changed)))
    }

    /// Records a delivery's alarms; returns once they are durable.
    pub async fn deliver(
        &self,
        integration: &Integration,
        correlation: uuid::Uuid,
        alarms: Vec<CanonicalAlarm>,
    ) -> Result<Ingested, AppError> {
        let count = alarms.len();
        let thresholds = integration.rules.flap_thresholds();
        let delivery = Delivery {
            integration: integration.id.0,
            provenance: Provenance {
                actor: Actor {
                    kind: ActorKind::Integration,
                    id: integration.id.to_string(),
                },
                correlation_id: correlation,
                causation_id: None,
            },
            alarms: alarms
                .into_iter()
                .map(|alarm| ReceiveAlarm {
                    integration: integration.id.0,
                    alarm,
                    flap_thresholds: thresholds,
                })
                .collect(),
        };
        let events = self.submit(Work::Deliver(delivery)).await?;
        Ok(Ingested {
            alarms: count,
            events,
        })
    }

    /// Records on the alarm which incident it feeds (nothing if it already does).
    pub async fn link(
        &self,
        alarm: AlarmId,
        incident: IncidentId,
        correlation: uuid::Uuid,
        causation: Option<uuid::Uuid>,
    ) -> Result<(), AppError> {
        self.submit(Work::Link {
            alarm,
            incident,
            correlation,
            causation,
        })
        .await?;
        Ok(())
    }

    async fn submit(&self, work: Work) -> Result<usize, IngestError> {
        let (reply, replied) = oneshot::channel();
        let job = Job {
            work,
            attempts: 0,
            reply,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| IngestError::Stopped)?;
        replied.await.map_err(|_| IngestError::Stopped)?
    }
}

type Durable = Pin<Box<dyn Future<Output = Finished> + Send>>;

/// A batch once its append returned.
struct Finished {
    decided: Vec<(Job, usize)>,
    touched: Vec<AlarmId>,
    outcome: Result<(), StoreError>,
}

struct Ingestor {
    store: Arc<dyn EventStore>,
    clock: Arc<dyn Clock>,
    states: HashMap<AlarmId, Alarm>,
}

impl Ingestor {
    async fn run(
        mut self,
        mut queue: mpsc::Receiver<Job>,
        mut changed: Option<mpsc::Receiver<Vec<(AlarmId, u64)>>>,
    ) {
        let mut in_flight: FuturesOrdered<Durable> = FuturesOrdered::new();
        let mut retry: Vec<Job> = Vec::new();
        let mut open = true;
        loop {
            // Jobs to decide again wait until nothing is in flight, so they see the log as
            // every earlier batch left it.
            if !retry.is_empty() && in_flight.is_empty() {
                let batch = std::mem::take(&mut retry);
                in_flight.push_back(self.prepare(batch).await);
                continue;
            }
            tokio::select! {
                // Only while there is work to come: once the queue closed and the last batch is
                // answered, every branch is off and the loop ends.
                moved = next_changes(&mut changed), if open || !in_flight.is_empty() => match moved {
                    Some(moved) => self.forget_moved(moved),
                    None => changed = None,
                },
                finished = in_flight.next(), if !in_flight.is_empty() => {
                    if let Some(finished) = finished {
                        self.finish(finished, &mut retry);
                    }
                }
                job = queue.recv(), if open && retry.is_empty() && in_flight.len() < MAX_IN_FLIGHT => {
                    match job {
                        Some(first) => {
                            let mut batch = vec![first];
                            while batch.len() < MAX_BATCH_JOBS {
                                let Ok(next) = queue.try_recv() else { break };
                                batch.push(next);
                            }
                            in_flight.push_back(self.prepare(batch).await);
                        }
                        None => open = false,
                    }
                }
                else => return,
            }
        }
    }

    /// Alarms whose streams moved past the version held here were changed by another process.
    fn forget_moved(&mut self, moved: Vec<(AlarmId, u64)>) {
        for (id, version) in moved {
            if self.states.get(&id).is_some_and(|a| a.version < version) {
                self.states.remove(&id);
            }
        }
    }

    /// Decides the batch on the states in memory (loading those it lacks) and starts its
    /// append.
    async fn prepare(&mut self, batch: Vec<Job>) -> Durable {
        if let Err(error) = self.load_missing(&batch).await {
            let error = IngestError::Store(error);
            for job in batch {
                let _ = job.reply.send(Err(error.clone()));
            }
            return Box::pin(std::future::ready(Finished {
                decided: Vec::new(),
                touched: Vec::new(),
                outcome: Ok(()),
            }));
        }
        let now = self.clock.now();
        let mut writes = Writes::default();
        let mut decided = Vec::with_capacity(batch.len());
        for job in batch {
            let events = match &job.work {
                Work::Deliver(delivery) => self.deliver(delivery, now, &mut writes),
                Work::Link {
                    alarm,
                    incident,
                    correlation,
                    causation,
                } => self.link(
                    *alarm,
                    *incident,
                    *correlation,
                    *causation,
                    now,
                    &mut writes,
                ),
            };
            decided.push((job, events));
        }
        let touched = writes.touched.clone();
        let parts = writes.into_parts(now);
        let store = Arc::clone(&self.store);
        Box::pin(async move {
            let outcome = if parts.is_empty() {
                Ok(())
            } else {
                store.append_many(parts).await.map(|_: Vec<Appended>| ())
            };
            Finished {
                decided,
                touched,
                outcome,
            }
        })
    }

    fn deliver(&mut self, delivery: &Delivery, now: DateTime<Utc>, writes: &mut Writes) -> usize {
        let mut count = 0;
        for receive in &delivery.alarms {
            let id = AlarmId::for_key(delivery.integration, &receive.alarm.fingerprint);
            let events = decide_delivery(self.states.get(&id), receive);
            count += events.len();
            let (own, repeat) = split_repeat(events);
            if own.is_empty() && repeat.is_none() {
                continue;
            }
            writes.touch(id);
            if !own.is_empty() {
                let envelopes = envelopes(&own, now, &delivery.provenance);
                self.record(id, &own, envelopes, now, writes);
            }
            if let Some(repeat) = repeat {
                writes.journal.add(id, &repeat);
                if let Some(alarm) = self.states.get_mut(&id) {
                    apply_repeat(alarm, repeat.count, repeat.last_seen);
                }
            }
        }
        count
    }

    fn link(
        &mut self,
        alarm: AlarmId,
        incident: IncidentId,
        correlation: uuid::Uuid,
        causation: Option<uuid::Uuid>,
        now: DateTime<Utc>,
        writes: &mut Writes,
    ) -> usize {
        // An alarm nobody raised cannot feed an incident: nothing to record.
        let Ok(events) = decide(
            self.states.get(&alarm),
            &AlarmCommand::LinkIncident { incident },
            now,
        ) else {
            return 0;
        };
        if events.is_empty() {
            return 0;
        }
        writes.touch(alarm);
        let provenance = Provenance {
            actor: Actor::system("alarm-reactor"),
            correlation_id: correlation,
            causation_id: causation,
        };
        self.record(
            alarm,
            &events,
            envelopes(&events, now, &provenance),
            now,
            writes,
        );
        events.len()
    }

    /// Queues the events for the alarm's stream and moves its state in memory.
    fn record(
        &mut self,
        id: AlarmId,
        events: &[AlarmEvent],
        envelopes: Vec<NewEvent>,
        now: DateTime<Utc>,
        writes: &mut Writes,
    ) {
        let mut state = self.states.remove(&id);
        let expected = state.as_ref().map_or(ExpectedVersion::NoStream, |a| {
            ExpectedVersion::Exact(a.version)
        });
        writes.append(id, expected, envelopes);
        for event in events {
            state = evolve(state, event, now);
        }
        if let Some(state) = state {
            if self.states.len() >= STATE_LIMIT {
                self.states.clear();
            }
            self.states.insert(id, state);
        }
    }

    /// Reads the streams of the batch's alarms that are not in memory, concurrently.
    async fn load_missing(&mut self, batch: &[Job]) -> Result<(), StoreError> {
        let mut missing = Vec::new();
        for job in batch {
            match &job.work {
                Work::Deliver(delivery) => {
                    for receive in &delivery.alarms {
                        let id = AlarmId::for_key(delivery.integration, &receive.alarm.fingerprint);
                        if !self.states.contains_key(&id) && !missing.contains(&id) {
                            missing.push(id);
                        }
                    }
                }
                Work::Link { alarm, .. } => {
                    if !self.states.contains_key(alarm) && !missing.contains(alarm) {
                        missing.push(*alarm);
                    }
                }
            }
        }
        let loaded =
            futures_util::future::join_all(missing.iter().map(|id| load(self.store.as_ref(), *id)))
                .await;
        for (id, alarm) in missing.into_iter().zip(loaded) {
            if let Some(alarm) = alarm? {
                self.states.insert(id, alarm);
            }
        }
        Ok(())
    }

    /// Answers a batch's jobs; after a conflict its alarms are forgotten (the next batch that
    /// needs them reads the log) and its jobs decided again.
    fn finish(&mut self, finished: Finished, retry: &mut Vec<Job>) {
        let Finished {
            decided,
            touched,
            outcome,
        } = finished;
        match outcome {
            Ok(()) => {
                for (job, events) in decided {
                    let _ = job.reply.send(Ok(events));
                }
            }
            Err(error) => {
                for id in touched {
                    self.states.remove(&id);
                }
                let conflict = matches!(error, StoreError::Conflict { .. });
                if conflict {
                    tracing::info!(%error, jobs = decided.len(), "alarm batch met a conflict; deciding again");
                }
                for (mut job, _) in decided {
                    job.attempts += 1;
                    if conflict && job.attempts < ATTEMPTS {
                        retry.push(job);
                    } else {
                        let refusal = if conflict {
                            IngestError::Contended
                        } else {
                            IngestError::Store(error.clone())
                        };
                        let _ = job.reply.send(Err(refusal));
                    }
                }
            }
        }
    }
}

/// What a batch will append: each alarm's events in one part, and the journal.
#[derive(Default)]
struct Writes {
    parts: Vec<StreamAppend>,
    part_of: HashMap<AlarmId, usize>,
    touched: Vec<AlarmId>,
    seen: std::collections::HashSet<AlarmId>,
    journal: RepeatJournal,
}

impl Writes {
    fn touch(&mut self, id: AlarmId) {
        if self.seen.insert(id) {
            self.touched.push(id);
        }
    }

    /// The first events of an alarm in the batch carry the expected version; later ones join
    /// the same part.
    fn append(&mut self, id: AlarmId, expected: ExpectedVersion, events: Vec<NewEvent>) {
        match self.part_of.get(&id) {
            Some(&i) => {
                if let Some(part) = self.parts.get_mut(i) {
                    part.events.extend(events);
                }
            }
            None => {
                self.part_of.insert(id, self.parts.len());
                self.parts.push(StreamAppend {
                    stream: id.stream(),
                    expected,
                    events,
                });
            }
        }
    }

    fn into_parts(self, now: DateTime<Utc>) -> Vec<StreamAppend> {
        let mut parts = self.parts;
        if let Some(event) = self.journal.into_event() {
            parts.push(StreamAppend {
                stream: journal::REPEATS_STREAM.to_owned(),
                expected: ExpectedVersion::Any,
                events: envelopes(
                    &[event],
                    now,
                    &Provenance {
                        actor: Actor::system("alarm-ingestor"),
                        correlation_id: uuid::Uuid::now_v7(),
                        causation_id: None,
                    },
                ),
            });
        }
        parts
    }
}

async fn next_changes(
    changed: &mut Option<mpsc::Receiver<Vec<(AlarmId, u64)>>>,
) -> Option<Vec<(AlarmId, u64)>> {
    match changed {
        Some(changes) => changes.recv().await,
        None => std::future::pending().await,
    }
}

/// Follows the log from its head now, reporting the version each changed alarm stream
/// reached. Ends when the ingestor is gone; a failed read is retried a moment later from where
/// it stood.
fn follow_alarm_changes(store: Arc<dyn EventStore>) -> mpsc::Receiver<Vec<(AlarmId, u64)>> {
    let (tx, rx) = mpsc::channel(64);
    let from = *store.head().borrow();
    tokio::spawn(async move {
        let mut subscription = servicedesk_store::Subscription::new(store, from, 1000);
        loop {
            let batch = tokio::select! {
                _ = tx.closed() => return,
                batch = subscription.next_batch() => batch,
            };
            match batch {
                Ok(events) => {
                    let moved: Vec<(AlarmId, u64)> = events
                        .iter()
                        .filter_map(|e| AlarmId::from_stream(&e.stream).map(|id| (id, e.version)))
                        .collect();
                    if !moved.is_empty() && tx.send(moved).await.is_err() {
                        return;
                    }
                }
                Err(StoreError::Closed) => return,
                Err(error) => {
                    tracing::warn!(%error, "following alarm changes failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
    rx
}

async fn load(store: &dyn EventStore, id: AlarmId) -> Result<Option<Alarm>, StoreError> {
    let history = store.read_stream(&id.stream(), 0, usize::MAX).await?;
    fold::<Alarm>(&history).map_err(|e| StoreError::Io(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use servicedesk_domain::alarm::journal::AlarmJournalEvent;
    use servicedesk_domain::alarm::{AlarmStatus, Severity, SourceKind};
    use servicedesk_domain::integration::{IntegrationDefaults, IntegrationId};
    use servicedesk_store::SystemClock;
    use servicedesk_store_sqlite::SqliteEventStore;

    fn integration() -> Integration {
        let now = chrono::Utc::now();
        Integration {
            id: IntegrationId(uuid::Uuid::from_u128(7)),
            version: 0,
            name: "test".into(),
            kind: SourceKind::Generic,
            key_sha256: String::new(),
            key_hint: String::new(),
            defaults: IntegrationDefaults::default(),
            rules: Default::default(),
            revoked: false,
            created_at: now,
            updated_at: now,
        }
    }

    fn firing(fingerprint: &str) -> CanonicalAlarm {
        CanonicalAlarm {
            source: SourceKind::Generic,
            fingerprint: fingerprint.into(),
            severity: Severity::Warning,
            status: AlarmStatus::Firing,
            lifecycle: None,
            summary: "disk filling up".into(),
            host: Some("db1".into()),
            configuration_item: Some("db1".into()),
            service: None,
            alarm_name: Some("DiskFull".into()),
            labels: Default::default(),
            annotations: Default::default(),
            links: vec![],
            started_at: None,
            received_at: chrono::Utc::now(),
        }
    }

    /// Two ingestors over one log stand for two processes: the same new alarms delivered to both
    /// at once race to raise them. The loser's batch conflicts and is decided again on the log,
    /// so each alarm is raised exactly once and the other delivery is counted as a repeat.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_conflicting_batch_is_decided_again_and_nothing_is_lost_or_doubled() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(
            SqliteEventStore::open(&dir.path().join("events.db"), Arc::new(SystemClock)).unwrap(),
        );
        let (one, one_task) = AlarmIngestor::spawn(store.clone(), Arc::new(SystemClock), true);
        let (two, two_task) = AlarmIngestor::spawn(store.clone(), Arc::new(SystemClock), true);
        let integration = integration();
        let fingerprints: Vec<String> = (0..20).map(|n| format!("fp-{n}")).collect();
        for fp in &fingerprints {
            let (a, b) = tokio::join!(
                one.deliver(&integration, uuid::Uuid::now_v7(), vec![firing(fp)]),
                two.deliver(&integration, uuid::Uuid::now_v7(), vec![firing(fp)]),
            );
            assert!(a.is_ok() && b.is_ok(), "{fp}: {:?} {:?}", a.err(), b.err());
        }
        let mut repeats = 0;
        for recorded in store.read_all(0, 10_000).await.unwrap() {
            if recorded.stream == journal::REPEATS_STREAM {
                let AlarmJournalEvent::AlarmsRepeated(batch) = AlarmJournalEvent::from_stored(
                    &recorded.event_type,
                    recorded.schema_version,
                    &recorded.data,
                )
                .unwrap();
                repeats += batch.repeats.iter().map(|r| r.count).sum::<u64>();
            }
        }
        for fp in &fingerprints {
            let id = AlarmId::for_key(integration.id.0, fp);
            let stream = store.read_stream(&id.stream(), 0, 100).await.unwrap();
            let types: Vec<&str> = stream.iter().map(|e| e.event_type.as_str()).collect();
            assert_eq!(types, vec!["AlarmRaised"], "{fp}");
        }
        assert_eq!(repeats, fingerprints.len() as u64, "one repeat per alarm");
        drop((one, two));
        one_task.await.unwrap();
        two_task.await.unwrap();
        store.close().await.unwrap();
    }

    /// Another process resolves an alarm this one holds as firing; its next firing delivery
    /// must raise the alarm again, not count a repeat of a state that is gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_alarm_another_process_changed_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(
            SqliteEventStore::open(&dir.path().join("events.db"), Arc::new(SystemClock)).unwrap(),
        );
        let (one, _one_task) = AlarmIngestor::spawn(store.clone(), Arc::new(SystemClock), true);
        let (two, _two_task) = AlarmIngestor::spawn(store.clone(), Arc::new(SystemClock), true);
        let integration = integration();
        let id = AlarmId::for_key(integration.id.0, "fp-x");
        let correlation = uuid::Uuid::now_v7;
        one.deliver(&integration, correlation(), vec![firing("fp-x")])
            .await
            .unwrap();
        // two holds it as firing (its delivery is a repeat)
        two.deliver(&integration, correlation(), vec![firing("fp-x")])
            .await
            .unwrap();
        let mut resolved = firing("fp-x");
        resolved.status = AlarmStatus::Resolved;
        one.deliver(&integration, correlation(), vec![resolved])
            .await
            .unwrap();
        let resolved_at = store.read_stream(&id.stream(), 0, 100).await.unwrap().len();
        // two follows the log; give it the moment it needs to read one's commit
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        two.deliver(&integration, correlation(), vec![firing("fp-x")])
            .await
            .unwrap();
        let stream = store.read_stream(&id.stream(), 0, 100).await.unwrap();
        assert!(
            stream.len() > resolved_at,
            "the refire was counted as a repeat of the resolved alarm: {:?}",
            stream.iter().map(|e| &e.event_type).collect::<Vec<_>>()
        );
    }
}
