//! The SLA scheduler: records each threshold a ticket's timers reach (warning, breach,
//! escalation levels) within moments of its instant, exactly once.
//!
//! It runs on one instance at a time (its lease) and keeps only an [`Agenda`]: when each
//! incident's next threshold falls due, as the incidents read model derives it from the
//! incident's own events. Every batch of incident events refreshes the agenda for the
//! incidents it touched (once the read models include the batch); every tick (and every move
//! of a manual clock) takes what is due and runs `CheckSla` on it through [`App::execute`].
//! The decision reads the incident's stream, not the agenda, and records a threshold only if
//! the ticket has not recorded it: a second scheduler during a handover, a retry after a lost
//! race, or an agenda entry gone stale fire nothing twice. At every (re)start the agenda is
//! read afresh from the read model, so thresholds that fell due while no scheduler ran are
//! recorded at once (with the instant each fell due).

use crate::agenda::Agenda;
use crate::{App, AppError, Execution};
use chrono::{DateTime, Utc};
use servicedesk_domain::incident::{Incident, IncidentCommand, IncidentId};
use servicedesk_projections::sla_agenda::Agenda as Column;
use servicedesk_store::{
    follow_as_leader, Actor, ActorKind, FollowOptions, Follower, Lease, Position, RecordedEvent,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

const NAME: &str = "sla-scheduler";

/// How often the agenda is looked at: the bound on how late a threshold is recorded, besides
/// the time to record it.
const TICK: Duration = Duration::from_millis(200);

/// Incidents checked at once: their appends share the store's group commit.
const CONCURRENT: usize = 32;

/// Due incidents taken from the agenda per round.
const ROUND: usize = 1024;

pub(crate) fn spawn(app: Arc<App>, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let make = {
        let app = app.clone();
        move |_lease: Arc<dyn Lease>| Scheduler {
            app: app.clone(),
            agenda: Agenda::default(),
        }
    };
    let options = FollowOptions {
        batch: 2_000,
        tick: Some(TICK),
        wake: Some(app.time_moved.clone()),
        pace: Duration::from_millis(5),
    };
    tokio::spawn(follow_as_leader(
        app.store.clone(),
        app.leases.clone(),
        NAME,
        make,
        options,
        stop,
    ))
}

struct Scheduler {
    app: Arc<App>,
    agenda: Agenda,
}

#[async_trait::async_trait]
impl Follower for Scheduler {
    type Error = AppError;

    fn name(&self) -> &'static str {
        NAME
    }

    /// Reads the whole agenda from the read model as of the log's head now, and follows on
    /// from there (no checkpoint: everything before is in what it read).
    async fn resume(&mut self) -> Result<Position, AppError> {
        let head = *self.app.store.head().borrow();
        self.agenda = Agenda::read(&self.app, Column::SlaThreshold, head).await?;
        tracing::info!(incidents = self.agenda.len(), "SLA scheduler took over");
        self.fire_due().await?;
        Ok(head)
    }

    async fn handle(&mut self, events: Vec<RecordedEvent>) -> Result<(), AppError> {
        if let Some(last) = events.last() {
            let touched = events
                .iter()
                .filter_map(|e| IncidentId::from_stream(&e.stream))
                .collect();
            self.agenda
                .refresh(&self.app, Column::SlaThreshold, touched, last.position)
                .await?;
        }
        self.fire_due().await
    }

    async fn wake(&mut self) -> Result<(), AppError> {
        self.fire_due().await
    }
}

impl Scheduler {
    /// Records what is due by the clock now, and puts each incident back at its next threshold.
    async fn fire_due(&mut self) -> Result<(), AppError> {
        loop {
            let now = self.app.clock.now();
            let due = self.agenda.take_due(now.timestamp_micros(), ROUND);
            if due.is_empty() {
                return Ok(());
            }
            for chunk in due.chunks(CONCURRENT) {
                let checks = chunk.iter().map(|(id, at)| check(&self.app, *id, *at));
                for (id, next) in futures_util::future::join_all(checks).await {
                    self.agenda.set(id, next?);
                }
            }
        }
    }
}

/// Runs `CheckSla` on one incident; answers when its next threshold falls due.
async fn check(app: &App, id: IncidentId, due: i64) -> (IncidentId, Result<Option<i64>, AppError>) {
    let actor = Actor {
        kind: ActorKind::System,
        id: NAME.to_owned(),
    };
    let how = Execution::by(actor, uuid::Uuid::now_v7()).without_waiting();
    let recipients = match recipients_for(app, id).await {
        Ok(found) => found,
        Err(e) => return (id, Err(e)),
    };
    let outcome = match app
        .execute::<Incident>(id, IncidentCommand::CheckSla(recipients), &how)
        .await
    {
        Ok(executed) => {
            let next = next_threshold(&executed.state);
            let now = app.clock.now().timestamp_micros();
            match next {
                // Nothing recorded, yet something due: the decision and the agenda disagree.
                // Looked at again in a second instead of spinning.
                Some(at) if at <= now && executed.position.is_none() => {
                    tracing::error!(incident = %id, "SLA threshold due but not recorded");
                    Ok(Some(now + 1_000_000))
                }
                next => Ok(next),
            }
        }
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => {
            tracing::warn!(incident = %id, due, error = %e, "SLA check failed; retried shortly");
            // Looked at again on the next tick rather than failing every other incident.
            let retry = app.clock.now() + chrono::Duration::seconds(1);
            Ok(Some(retry.timestamp_micros()))
        }
    };
    (id, outcome)
}

/// Who answers to the names the incident's escalation levels notify.
async fn recipients_for(
    app: &App,
    id: IncidentId,
) -> Result<Vec<servicedesk_domain::incident::Recipient>, AppError> {
    let Some(incident) = app.load::<Incident>(id).await? else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = incident
        .sla
        .iter()
        .flat_map(|sla| sla.applied.spec.escalations.iter())
        .flat_map(|level| level.notify.iter().cloned())
        .collect();
    names.sort();
    names.dedup();
    app.recipients(names).await
}

fn next_threshold(incident: &Incident) -> Option<i64> {
    let sla = incident.sla.as_ref()?;
    if incident.status.is_final() {
        return None;
    }
    sla.summary(incident.priority, incident.updated_at)
        .next_threshold_at
        .map(|at: DateTime<Utc>| at.timestamp_micros())
}
