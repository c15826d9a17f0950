use super::event::IncidentEvent;
use super::state::{Comment, Incident, Resolution, Status};
use chrono::{DateTime, Utc};

/// Applies one event. `at` is when it happened (the envelope's `occurred_at`).
/// An event that cannot apply to the state (e.g. anything before `IncidentOpened`) leaves it as is:
/// `decide` never produces such a sequence, and folding must never fail on history.
pub fn evolve(
    state: Option<Incident>,
    event: &IncidentEvent,
    at: DateTime<Utc>,
) -> Option<Incident> {
    use IncidentEvent as E;
    if let E::IncidentOpened(o) = event {
        return Some(Incident {
            id: o.id,
            version: 0,
            status: if o.assignee.is_some() || o.assignment_group.is_some() {
                Status::Assigned
            } else {
                Status::New
            },
            title: o.title.clone(),
            description: o.description.clone(),
            caller: o.caller.clone(),
            customer: o.customer.clone(),
            service: o.service.clone(),
            configuration_item: o.configuration_item.clone(),
            category: o.category.clone(),
            impact: o.impact,
            urgency: o.urgency,
            priority: o.priority,
            assignment_group: o.assignment_group.clone(),
            assignee: o.assignee.clone(),
            pending_reason: None,
            resolution: None,
            comments: Vec::new(),
            links: Vec::new(),
            opened_by: o.opened_by.clone(),
            opened_at: at,
            updated_at: at,
            resolved_at: None,
            closed_at: None,
            reopen_count: 0,
            monitoring: super::monitoring::Monitoring {
                opened_by_monitoring: o.alarm.is_some(),
                alarms: o.alarm.iter().cloned().collect(),
                ..Default::default()
            },
            sla: None,
            notifications: Vec::new(),
        });
    }
    let mut s = state?;
    s.version += 1;
    s.updated_at = at;
    if let Some(sla) = s.sla.as_mut() {
        sla.evolve(event, at);
    }
    if !event.is_automatic() {
        s.monitoring.human_touched = true;
    }
    match event {
        E::IncidentSlaApplied(applied) => {
            s.sla = Some(match s.sla.take() {
                // A new contract or SLA keeps the business time already run and paused.
                Some(mut sla) => {
                    sla.reapply(applied.clone());
                    sla
                }
                None => super::sla::IncidentSla::start(
                    applied.clone(),
                    s.opened_at,
                    s.assignee.is_some(),
                ),
            });
        }
        E::IncidentOpened(_) | E::SlaWarningReached(_) | E::SlaBreached(_) => {}
        E::NotificationQueued(_)
        | E::NotificationSent(_)
        | E::NotificationFailed(_)
        | E::NotificationRetried(_) => super::notification_evolve::apply(&mut s, event, at),
        E::SlaEscalated(e) => {
            if let Some(priority) = e.raise_priority {
                s.priority = priority;
            }
            if let Some(group) = &e.reassign_group {
                s.assignment_group = Some(group.clone());
                s.assignee = None;
                if s.status == Status::New {
                    s.status = Status::Assigned;
                }
            }
        }
        E::IncidentUpdated(u) => {
            let c = &u.changes;
            if let Some(v) = &c.title {
                s.title = v.clone();
            }
            if let Some(v) = &c.description {
                s.description = v.clone();
            }
            for (slot, change) in [
                (&mut s.caller, &c.caller),
                (&mut s.customer, &c.customer),
                (&mut s.service, &c.service),
                (&mut s.configuration_item, &c.configuration_item),
                (&mut s.category, &c.category),
            ] {
                if let Some(v) = change {
                    *slot = v.clone();
                }
            }
            if let Some(v) = c.impact {
                s.impact = v;
            }
            if let Some(v) = c.urgency {
                s.urgency = v;
            }
            if let Some(v) = c.priority {
                s.priority = v;
            }
        }
        E::IncidentAssigned(a) => {
            s.assignment_group = a.assignment_group.clone();
            s.assignee = a.assignee.clone();
            if s.status == Status::New {
                s.status = Status::Assigned;
            }
        }
        E::IncidentWorkStarted(_) => {
            s.status = Status::InProgress;
            s.pending_reason = None;
        }
        E::IncidentPended(p) => {
            s.status = Status::Pending;
            s.pending_reason = Some(p.reason);
        }
        E::IncidentResolved(r) => {
            s.status = Status::Resolved;
            s.pending_reason = None;
            s.resolution = Some(Resolution {
                code: r.code,
                notes: r.notes.clone(),
                resolved_by: r.resolved_by.clone(),
            });
            s.resolved_at = Some(at);
        }
        E::IncidentClosed(_) => {
            s.status = Status::Closed;
            s.closed_at = Some(at);
        }
        E::IncidentReopened(_) => {
            s.status = reopened_status(&s);
            s.resolution = None;
            s.resolved_at = None;
            s.reopen_count += 1;
        }
        E::IncidentCancelled(_) => {
            s.status = Status::Cancelled;
            s.pending_reason = None;
            s.closed_at = Some(at);
        }
        E::CommentAdded(c) => s.comments.push(Comment {
            id: c.comment_id,
            visibility: c.visibility,
            body: c.body.clone(),
            author: c.author.clone(),
            at,
        }),
        E::IncidentLinked(l) => {
            if !s.links.contains(&l.link) {
                s.links.push(l.link.clone());
            }
        }
        E::IncidentUnlinked(l) => s.links.retain(|x| *x != l.link),
        E::IncidentAlarmAttached(a) => {
            s.monitoring.alarms.retain(|x| x.alarm != a.alarm.alarm);
            s.monitoring.alarms.push(a.alarm.clone());
        }
        E::IncidentAlarmCleared(c) => set_cleared(&mut s, c.alarm, true),
        E::IncidentFlappingChanged(f) => s.monitoring.flapping = f.flapping,
        E::IncidentRecovered(r) => {
            s.status = Status::Resolved;
            s.pending_reason = None;
            s.resolution = Some(Resolution {
                code: super::state::ResolutionCode::Recovered,
                notes: r.notes.clone(),
                resolved_by: "monitoring".to_owned(),
            });
            s.resolved_at = Some(at);
        }
        E::IncidentRefired(c) => {
            set_cleared(&mut s, c.alarm, false);
            s.status = reopened_status(&s);
            s.resolution = None;
            s.resolved_at = None;
            s.reopen_count += 1;
        }
    }
    Some(s)
}

fn set_cleared(s: &mut Incident, alarm: crate::alarm::AlarmId, cleared: bool) {
    for attached in s.monitoring.alarms.iter_mut().filter(|a| a.alarm == alarm) {
        attached.cleared = cleared;
    }
}

/// A reopened incident goes back to whoever owned it: in progress with an assignee,
/// assigned with only a group, new otherwise.
fn reopened_status(s: &Incident) -> Status {
    if s.assignee.is_some() {
        Status::InProgress
    } else if s.assignment_group.is_some() {
        Status::Assigned
    } else {
        Status::New
    }
}

/// Folds a whole history.
pub fn replay<'a>(
    events: impl IntoIterator<Item = (&'a IncidentEvent, DateTime<Utc>)>,
) -> Option<Incident> {
    events
        .into_iter()
        .fold(None, |state, (event, at)| evolve(state, event, at))
}
