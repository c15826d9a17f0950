//! Deciding and folding the notification events of a ticket.

use super::event::IncidentEvent;
use super::notification::{
    Delivered, DeliveryFailed, DeliveryOutcome, NotificationState, NotificationStatus, Retried,
};
use super::state::Incident;
use crate::DomainError;
use chrono::{DateTime, Utc};

fn find(s: &mut Incident, id: uuid::Uuid) -> Option<&mut NotificationState> {
    s.notifications.iter_mut().find(|n| n.notification.id == id)
}

pub(super) fn apply(s: &mut Incident, event: &IncidentEvent, at: DateTime<Utc>) {
    use IncidentEvent as E;
    match event {
        E::NotificationQueued(n) if s.notifications.iter().all(|x| x.notification.id != n.id) => {
            s.notifications.push(NotificationState {
                notification: n.clone(),
                status: NotificationStatus::Queued,
                attempts: 0,
                queued_at: at,
                next_attempt_at: Some(at),
                sent_at: None,
                last_error: None,
            });
        }
        E::NotificationSent(d) => {
            if let Some(n) = find(s, d.id) {
                n.status = NotificationStatus::Sent;
                n.attempts = d.attempt;
                n.sent_at = Some(at);
                n.next_attempt_at = None;
            }
        }
        E::NotificationFailed(f) => {
            if let Some(n) = find(s, f.id) {
                n.attempts = f.attempt;
                n.last_error = Some(f.error.clone());
                n.next_attempt_at = f.retry_at;
                n.status = if f.retry_at.is_some() {
                    NotificationStatus::Failed
                } else {
                    NotificationStatus::Dead
                };
            }
        }
        E::NotificationRetried(r) => {
            if let Some(n) = find(s, r.id) {
                n.status = NotificationStatus::Queued;
                n.next_attempt_at = Some(at);
            }
        }
        _ => {}
    }
}

/// A try's outcome, recorded once: only for a pending notification, and only the next try.
pub(super) fn delivery(
    incident: &Incident,
    id: uuid::Uuid,
    attempt: u32,
    outcome: &DeliveryOutcome,
) -> Vec<IncidentEvent> {
    let Some(n) = incident
        .notifications
        .iter()
        .find(|n| n.notification.id == id)
    else {
        return Vec::new();
    };
    if !n.status.is_pending() || attempt != n.attempts + 1 {
        return Vec::new();
    }
    vec![match outcome {
        DeliveryOutcome::Sent => IncidentEvent::NotificationSent(Delivered { id, attempt }),
        DeliveryOutcome::Failed { error, retry_at } => {
            IncidentEvent::NotificationFailed(DeliveryFailed {
                id,
                attempt,
                error: error.clone(),
                retry_at: *retry_at,
            })
        }
    }]
}

pub(super) fn retry(
    incident: &Incident,
    id: uuid::Uuid,
    by: &str,
) -> Result<Vec<IncidentEvent>, DomainError> {
    let n = incident
        .notifications
        .iter()
        .find(|n| n.notification.id == id)
        .ok_or_else(|| {
            DomainError::invalid("id", format!("the ticket has no notification {id}"))
        })?;
    match n.status {
        NotificationStatus::Failed | NotificationStatus::Dead => {
            Ok(vec![IncidentEvent::NotificationRetried(Retried {
                id,
                by: by.to_owned(),
            })])
        }
        NotificationStatus::Queued => Ok(Vec::new()),
        NotificationStatus::Sent => Err(DomainError::invalid(
            "id",
            "this notification was sent; nothing to retry",
        )),
    }
}
