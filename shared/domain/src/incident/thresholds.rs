//! Which SLA thresholds a ticket has reached by an instant, as events: the scheduler's
//! decision. It reads only the ticket, so deciding twice records nothing twice.

use super::event::{Escalated, IncidentEvent};
use super::notification::{Notification, Recipient};
use super::sla::reached;
use super::state::Incident;
use crate::sla::Threshold;
use chrono::{DateTime, Utc};

pub(super) fn reached_by(
    incident: &Incident,
    now: DateTime<Utc>,
    recipients: &[Recipient],
) -> Vec<IncidentEvent> {
    let Some(sla) = incident
        .sla
        .as_ref()
        .filter(|_| !incident.status.is_final())
    else {
        return Vec::new();
    };
    let mut events = Vec::new();
    for (defined, due_at) in sla.due(incident.priority, now) {
        let record = reached(&defined, due_at);
        let level = defined
            .level
            .and_then(|i| sla.applied.spec.escalations.get(i));
        let event = match (defined.key.threshold, level) {
            (Threshold::Warning, _) => IncidentEvent::SlaWarningReached(record),
            (Threshold::Breach, _) => IncidentEvent::SlaBreached(record),
            (Threshold::Escalation(_), None) => continue,
            (Threshold::Escalation(_), Some(level)) => {
                let raise = level.raise_priority.filter(|p| *p < incident.priority);
                let cause = format!("{:?}", record.key());
                let reason = format!(
                    "SLA escalation{}: {} at {}%",
                    level
                        .name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default(),
                    timer_name(record.timer),
                    record.percent
                );
                let queued = notifications(incident, &level.notify, recipients, &cause, &reason);
                let event = IncidentEvent::SlaEscalated(Escalated {
                    reached: record,
                    name: level.name.clone(),
                    raise_priority: raise,
                    reassign_group: level
                        .reassign_group
                        .clone()
                        .filter(|g| incident.assignment_group.as_ref() != Some(g)),
                    notify: level.notify.clone(),
                });
                if raise.is_some() {
                    // A new priority has targets of its own: the next decision sees them.
                    events.push(event);
                    events.extend(queued);
                    break;
                }
                events.push(event);
                events.extend(queued);
                continue;
            }
        };
        events.push(event);
    }
    events
}

fn timer_name(timer: crate::sla::TimerKind) -> &'static str {
    match timer {
        crate::sla::TimerKind::Respond => "respond",
        crate::sla::TimerKind::Resolve => "resolve",
        crate::sla::TimerKind::Update => "customer update",
    }
}

/// One message per contact method of everyone the level names (each address once).
fn notifications(
    incident: &Incident,
    names: &[String],
    recipients: &[Recipient],
    cause: &str,
    reason: &str,
) -> Vec<IncidentEvent> {
    let mut ids = Vec::new();
    let mut events = Vec::new();
    for r in recipients.iter().filter(|r| names.contains(&r.name)) {
        let id = Notification::id_for(incident.id.0, cause, &r.person, &r.contact);
        if ids.contains(&id)
            || incident
                .notifications
                .iter()
                .any(|n| n.notification.id == id)
        {
            continue;
        }
        ids.push(id);
        events.push(IncidentEvent::NotificationQueued(Notification {
            id,
            channel: r.contact.kind,
            to: r.contact.address.clone(),
            person: r.person.clone(),
            subject: format!("[{}] {reason}: {}", incident.priority, incident.title),
            body: format!(
                "{reason} on incident {} ({}, {}): {}\n/api/v1/incidents/{}",
                incident.id, incident.priority, incident.status, incident.title, incident.id
            ),
            reason: reason.to_owned(),
        }));
    }
    events
}
