//! The notifier: delivers the notifications tickets queued, at least once, and records each
//! try's outcome on the ticket (sent; failed, with when to try again; or dead-lettered after
//! the last try).
//!
//! Like the SLA scheduler it runs under a lease and keeps only an agenda: when each incident's
//! next pending notification is due (`incidents.notify_next_at`, from the incident's events).
//! A due incident is loaded from its stream; each due notification is delivered and its
//! outcome recorded with `RecordDelivery`, which records a try once (the next attempt
//! number, on a pending notification only), so a second notifier during a handover, or a
//! crash between delivering and recording, at worst sends a message twice with the same
//! idempotency key, and never loses one.
//!
//! Channels: webhooks (JSON, HMAC-signed, an idempotency key per notification), SMS through
//! an HTTP gateway (a body template) and e-mail over SMTP. A channel this server has not been
//! given (no SMTP relay, no SMS gateway) leaves its notifications queued, visible on the
//! ticket, rather than failing them.

mod backoff;
mod email;
mod rate;
mod sms;
mod webhook;

use crate::agenda::Agenda;
use crate::{App, AppError, Execution};
use servicedesk_domain::incident::{DeliveryOutcome, Incident, IncidentCommand, IncidentId};
use servicedesk_domain::people::ContactKind;
use servicedesk_projections::sla_agenda::Agenda as Column;
use servicedesk_store::{
    follow_as_leader, Actor, ActorKind, FollowOptions, Follower, Lease, Position, RecordedEvent,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use backoff::RetryPolicy;
pub use rate::RateLimit;

const NAME: &str = "notifier";

/// How often the agenda is looked at.
const TICK: Duration = Duration::from_millis(200);

/// Settings of the delivery.
#[derive(Debug, Clone, Default)]
pub struct NotificationSettings {
    /// Signs webhook bodies (`Servicedesk-Signature: sha256=<hex HMAC of the body>`).
    pub webhook_secret: Option<String>,
    pub sms: Option<SmsGateway>,
    pub smtp: Option<SmtpRelay>,
    pub retry: RetryPolicy,
    /// Per channel; none: as fast as the channels answer.
    pub rate: Option<RateLimit>,
}

/// The SMTP relay e-mail goes through (plain SMTP to a local relay for now).
#[derive(Debug, Clone)]
pub struct SmtpRelay {
    pub host: String,
    pub port: u16,
    /// The sender, `servicedesk <desk@example.com>`.
    pub from: String,
    /// Put before incident paths in messages, e.g. `https://desk.example.com`.
    pub link_base: String,
}

/// An HTTP SMS gateway: `template` is the body, with `{to}` and `{text}` replaced.
#[derive(Debug, Clone)]
pub struct SmsGateway {
    pub url: String,
    pub template: String,
    /// The body is a form (`application/x-www-form-urlencoded`), not JSON.
    pub form: bool,
    /// An `Authorization` header value, if the gateway wants one.
    pub authorization: Option<String>,
}

pub(crate) fn spawn(app: Arc<App>, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let make = {
        let app = app.clone();
        move |_lease: Arc<dyn Lease>| Notifier {
            app: app.clone(),
            agenda: Agenda::default(),
            limiter: Arc::new(rate::Limiter::new(app.settings.notifications.rate)),
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

struct Notifier {
    app: Arc<App>,
    agenda: Agenda,
    limiter: Arc<rate::Limiter>,
}

#[async_trait::async_trait]
impl Follower for Notifier {
    type Error = AppError;

    fn name(&self) -> &'static str {
        NAME
    }

    async fn resume(&mut self) -> Result<Position, AppError> {
        let head = *self.app.store.head().borrow();
        self.agenda = Agenda::read(&self.app, Column::Notification, head).await?;
        self.deliver_due().await?;
        Ok(head)
    }

    async fn handle(&mut self, events: Vec<RecordedEvent>) -> Result<(), AppError> {
        if let Some(last) = events.last() {
            let touched = events
                .iter()
                .filter(|e| e.event_type.starts_with("Notification"))
                .filter_map(|e| IncidentId::from_stream(&e.stream))
                .collect();
            self.agenda
                .refresh(&self.app, Column::Notification, touched, last.position)
                .await?;
        }
        self.deliver_due().await
    }

    async fn wake(&mut self) -> Result<(), AppError> {
        self.deliver_due().await
    }
}

impl Notifier {
    async fn deliver_due(&mut self) -> Result<(), AppError> {
        loop {
            let now = self.app.clock.now();
            let due = self.agenda.take_due(now.timestamp_micros(), 256);
            if due.is_empty() {
                return Ok(());
            }
            let work = due
                .iter()
                .map(|(id, _)| deliver_incident(&self.app, &self.limiter, *id));
            let mut tried = false;
            for (id, next, attempted) in futures_util::future::join_all(work).await {
                self.agenda.set(id, next);
                tried |= attempted;
            }
            // Held back by the rate limits only: the next tick looks again.
            if !tried {
                return Ok(());
            }
        }
    }
}

/// Delivers the incident's due notifications; answers when it next needs the notifier, and
/// whether anything was tried.
async fn deliver_incident(
    app: &App,
    limiter: &rate::Limiter,
    id: IncidentId,
) -> (IncidentId, Option<i64>, bool) {
    let retry_soon = Some((app.clock.now() + chrono::Duration::seconds(5)).timestamp_micros());
    let incident = match app.load::<Incident>(id).await {
        Ok(Some(incident)) => incident,
        Ok(None) => return (id, None, false),
        Err(e) => {
            tracing::warn!(incident = %id, error = %e, "cannot load the incident to notify");
            return (id, retry_soon, false);
        }
    };
    let now = app.clock.now();
    let mut next: Option<i64> = None;
    let mut attempted = false;
    let mut later = |at: chrono::DateTime<chrono::Utc>| {
        let at = at.timestamp_micros();
        next = Some(next.map_or(at, |n: i64| n.min(at)));
    };
    for n in incident
        .notifications
        .iter()
        .filter(|n| n.status.is_pending())
    {
        let Some(due) = n.next_attempt_at else {
            continue;
        };
        if due > now {
            later(due);
            continue;
        }
        let settings = &app.settings.notifications;
        let configured = match n.notification.channel {
            ContactKind::Webhook => true,
            ContactKind::Sms => settings.sms.is_some(),
            ContactKind::Email => settings.smtp.is_some(),
        };
        if !configured {
            continue;
        }
        if limiter.take(n.notification.channel).is_err() {
            // over the channel's rate: due still, looked at again on the next tick (the
            // bucket refills in real time, whatever the injected clock does)
            later(now);
            continue;
        }
        attempted = true;
        let attempt = n.attempts + 1;
        let outcome = match n.notification.channel {
            ContactKind::Webhook => webhook::deliver(app, id, &n.notification, attempt).await,
            ContactKind::Sms => match &app.settings.notifications.sms {
                Some(gateway) => sms::deliver(gateway, id, &n.notification).await,
                None => continue,
            },
            ContactKind::Email => match &app.settings.notifications.smtp {
                Some(relay) => email::deliver(relay, id, &n.notification, now).await,
                None => continue,
            },
        };
        let outcome = match outcome {
            Ok(()) => DeliveryOutcome::Sent,
            Err(error) => {
                let retry_at =
                    app.settings
                        .notifications
                        .retry
                        .after(attempt, n.notification.id, now);
                if let Some(at) = retry_at {
                    later(at);
                }
                DeliveryOutcome::Failed { error, retry_at }
            }
        };
        let actor = Actor {
            kind: ActorKind::System,
            id: NAME.to_owned(),
        };
        let how = Execution::by(actor, uuid::Uuid::now_v7()).without_waiting();
        let command = IncidentCommand::RecordDelivery {
            id: n.notification.id,
            attempt,
            outcome,
        };
        if let Err(e) = app.execute::<Incident>(id, command, &how).await {
            tracing::warn!(incident = %id, error = %e, "cannot record a delivery; tried again");
            return (id, retry_soon, true);
        }
    }
    (id, next, attempted)
}
