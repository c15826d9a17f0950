use super::command::{ChangeStatus, IncidentCommand, LinkIncident, OpenIncident, UpdateIncident};
use super::event::{self as ev, IncidentEvent};
use super::monitoring::{AttachedAlarm, MonitorCommand};
use super::state::{FieldChanges, Incident, Link, Status};
pub use crate::aggregate::DecisionContext;
use crate::{DomainError, FieldError, PriorityMatrix};

/// Decides which events a command produces. An empty result means "nothing to change"
/// (e.g. an update that sets every field to its current value).
pub fn decide(
    state: Option<&Incident>,
    command: &IncidentCommand,
    ctx: &DecisionContext,
) -> Result<Vec<IncidentEvent>, DomainError> {
    use IncidentCommand as C;
    let incident = match (state, command) {
        (None, C::Open(open)) => return Ok(vec![opened(open, &ctx.priority_matrix)]),
        (Some(_), C::Open(_)) => return Err(DomainError::AlreadyExists),
        (None, _) => return Err(DomainError::NotFound),
        (Some(incident), _) => incident,
    };
    match command {
        C::Open(_) => Err(DomainError::AlreadyExists),
        C::Update(update) => {
            refuse_if_final(incident, "update")?;
            Ok(updated(incident, update, &ctx.priority_matrix)
                .map(|changes| IncidentEvent::IncidentUpdated(ev::Updated { changes }))
                .into_iter()
                .collect())
        }
        C::Assign(assign) => {
            if !incident.status.is_open() {
                return Err(DomainError::NotAllowedInStatus {
                    action: "assign",
                    status: incident.status,
                });
            }
            if assign.assignee.is_none() && assign.assignment_group.is_none() {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    "assignee",
                    "give an assignee, an assignment_group or both",
                )]));
            }
            if assign.assignee == incident.assignee
                && assign.assignment_group == incident.assignment_group
            {
                return Ok(vec![]);
            }
            Ok(vec![IncidentEvent::IncidentAssigned(ev::Assigned {
                assignment_group: assign.assignment_group.clone(),
                assignee: assign.assignee.clone(),
            })])
        }
        C::ChangeStatus(change) => change_status(incident, change).map(|e| vec![e]),
        C::AddComment(c) => {
            refuse_if_final(incident, "comment on")?;
            Ok(vec![IncidentEvent::CommentAdded(ev::CommentAdded {
                comment_id: c.comment_id,
                visibility: c.visibility,
                body: c.body.clone(),
                author: c.author.clone(),
            })])
        }
        C::Link(link) => {
            refuse_if_final(incident, "link")?;
            refuse_self_link(incident, link)?;
            let link = Link {
                kind: link.kind,
                target: link.target,
            };
            if incident.links.contains(&link) {
                return Ok(vec![]);
            }
            Ok(vec![IncidentEvent::IncidentLinked(ev::Linked { link })])
        }
        C::Monitor(monitor) => monitor_decision(incident, monitor),
        C::CheckSla(recipients) => Ok(super::thresholds::reached_by(incident, ctx.now, recipients)),
        C::RecordDelivery {
            id,
            attempt,
            outcome,
        } => Ok(super::notification_evolve::delivery(
            incident, *id, *attempt, outcome,
        )),
        C::RetryNotification { id, by } => super::notification_evolve::retry(incident, *id, by),
        C::ApplySla(applied) => {
            if incident
                .sla
                .as_ref()
                .is_some_and(|sla| sla.applied == *applied)
            {
                return Ok(vec![]);
            }
            Ok(vec![IncidentEvent::IncidentSlaApplied(applied.clone())])
        }
        C::Unlink(link) => {
            refuse_if_final(incident, "unlink")?;
            let link = Link {
                kind: link.kind,
                target: link.target,
            };
            if !incident.links.contains(&link) {
                return Ok(vec![]);
            }
            Ok(vec![IncidentEvent::IncidentUnlinked(ev::Linked { link })])
        }
    }
}

fn opened(open: &OpenIncident, matrix: &PriorityMatrix) -> IncidentEvent {
    IncidentEvent::IncidentOpened(ev::Opened {
        id: open.id,
        title: open.title.clone(),
        description: open.description.clone(),
        caller: open.caller.clone(),
        customer: open.customer.clone(),
        service: open.service.clone(),
        configuration_item: open.configuration_item.clone(),
        category: open.category.clone(),
        impact: open.impact,
        urgency: open.urgency,
        priority: matrix.priority(open.impact, open.urgency),
        assignment_group: open.assignment_group.clone(),
        assignee: open.assignee.clone(),
        opened_by: open.opened_by.clone(),
        alarm: open.alarm.clone(),
    })
}

/// What the alarm policy's requests mean for the incident. Each is idempotent: asking twice
/// changes nothing the second time.
fn monitor_decision(
    incident: &Incident,
    monitor: &MonitorCommand,
) -> Result<Vec<IncidentEvent>, DomainError> {
    let m = &incident.monitoring;
    match monitor {
        MonitorCommand::Attach(alarm) => {
            refuse_if_final(incident, "attach an alarm to")?;
            if m.attached(alarm.alarm).is_some_and(|a| !a.cleared) {
                return Ok(vec![]);
            }
            Ok(vec![IncidentEvent::IncidentAlarmAttached(
                ev::AlarmAttached {
                    alarm: AttachedAlarm {
                        cleared: false,
                        occurrences: None,
                        last_seen: None,
                        ..alarm.clone()
                    },
                },
            )])
        }
        MonitorCommand::Clear { alarm, resolve } => {
            if m.attached(*alarm).is_none_or(|a| a.cleared) {
                return Ok(vec![]);
            }
            let mut events = vec![IncidentEvent::IncidentAlarmCleared(ev::AlarmCleared {
                alarm: *alarm,
            })];
            let others_cleared = m
                .alarms
                .iter()
                .filter(|a| a.alarm != *alarm)
                .all(|a| a.cleared);
            if *resolve && incident.status.is_open() && !m.human_touched && others_cleared {
                events.push(IncidentEvent::IncidentRecovered(ev::Recovered {
                    notes: "monitoring reported recovery of every alarm; nobody had worked on it"
                        .to_owned(),
                }));
            }
            Ok(events)
        }
        MonitorCommand::SetFlapping(flapping) => {
            if m.flapping == *flapping || incident.status.is_final() {
                return Ok(vec![]);
            }
            Ok(vec![IncidentEvent::IncidentFlappingChanged(
                ev::FlappingChanged {
                    flapping: *flapping,
                },
            )])
        }
        MonitorCommand::Refire { alarm } => match incident.status {
            Status::Resolved => Ok(vec![IncidentEvent::IncidentRefired(ev::AlarmCleared {
                alarm: *alarm,
            })]),
            status if status.is_open() => Ok(vec![]),
            status => Err(DomainError::NotAllowedInStatus {
                action: "reopen by monitoring",
                status,
            }),
        },
    }
}

/// Keeps only real changes, and re-derives the priority when impact or urgency moved.
fn updated(
    incident: &Incident,
    update: &UpdateIncident,
    matrix: &PriorityMatrix,
) -> Option<FieldChanges> {
    let c = &update.changes;
    let keep = |new: &Option<String>, old: &String| new.clone().filter(|v| v != old);
    let keep_opt =
        |new: &Option<Option<String>>, old: &Option<String>| new.clone().filter(|v| v != old);
    let mut changes = FieldChanges {
        title: keep(&c.title, &incident.title),
        description: keep(&c.description, &incident.description),
        caller: keep_opt(&c.caller, &incident.caller),
        customer: keep_opt(&c.customer, &incident.customer),
        service: keep_opt(&c.service, &incident.service),
        configuration_item: keep_opt(&c.configuration_item, &incident.configuration_item),
        category: keep_opt(&c.category, &incident.category),
        impact: c.impact.filter(|v| *v != incident.impact),
        urgency: c.urgency.filter(|v| *v != incident.urgency),
        priority: None,
    };
    let priority = matrix.priority(
        changes.impact.unwrap_or(incident.impact),
        changes.urgency.unwrap_or(incident.urgency),
    );
    if priority != incident.priority {
        changes.priority = Some(priority);
    }
    (!changes.is_empty()).then_some(changes)
}

fn change_status(incident: &Incident, change: &ChangeStatus) -> Result<IncidentEvent, DomainError> {
    let from = incident.status;
    let allowed = from.allowed_targets();
    if !allowed.contains(&change.to) {
        return Err(DomainError::IllegalTransition {
            from,
            to: change.to,
            allowed,
        });
    }
    let note = change.note.clone();
    Ok(match change.to {
        Status::InProgress if from == Status::Resolved => {
            IncidentEvent::IncidentReopened(ev::Reopened { reason: note })
        }
        Status::InProgress => IncidentEvent::IncidentWorkStarted(ev::WorkStarted { note }),
        Status::Pending => {
            let reason = change.pending_reason.ok_or_else(|| {
                DomainError::invalid(
                    "pending_reason",
                    "required when moving to pending: awaiting_customer, awaiting_vendor, awaiting_change or awaiting_problem",
                )
            })?;
            IncidentEvent::IncidentPended(ev::Pended { reason, note })
        }
        Status::Resolved => {
            let mut errors = Vec::new();
            if change.resolution_code.is_none() {
                errors.push(FieldError::new(
                    "resolution_code",
                    "required when resolving",
                ));
            }
            let notes = note.filter(|n| !n.trim().is_empty());
            if notes.is_none() {
                errors.push(FieldError::new(
                    "note",
                    "resolution notes are required when resolving",
                ));
            }
            match (change.resolution_code, notes) {
                (Some(code), Some(notes)) => IncidentEvent::IncidentResolved(ev::Resolved {
                    code,
                    notes,
                    resolved_by: change.by.clone(),
                }),
                _ => return Err(DomainError::Invalid(errors)),
            }
        }
        Status::Closed => IncidentEvent::IncidentClosed(ev::Closed { note }),
        Status::Cancelled => IncidentEvent::IncidentCancelled(ev::Cancelled { reason: note }),
        Status::New | Status::Assigned => {
            return Err(DomainError::IllegalTransition {
                from,
                to: change.to,
                allowed,
            })
        }
    })
}

fn refuse_if_final(incident: &Incident, action: &'static str) -> Result<(), DomainError> {
    if incident.status.is_final() {
        return Err(DomainError::NotAllowedInStatus {
            action,
            status: incident.status,
        });
    }
    Ok(())
}

fn refuse_self_link(incident: &Incident, link: &LinkIncident) -> Result<(), DomainError> {
    if link.target == incident.id {
        return Err(DomainError::invalid(
            "target",
            "an incident cannot link to itself",
        ));
    }
    Ok(())
}
