//! Which SLA thresholds a ticket has reached by an instant, as events: the scheduler's
//! decision. It reads only the ticket, so deciding twice records nothing twice.

use super::event::{Escalated, IncidentEvent};
use super::sla::reached;
use super::state::Incident;
use crate::sla::Threshold;
use chrono::{DateTime, Utc};

pub(super) fn reached_by(incident: &Incident, now: DateTime<Utc>) -> Vec<IncidentEvent> {
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
                    break;
                }
                event
            }
        };
        events.push(event);
    }
    events
}
