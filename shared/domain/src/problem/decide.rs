use super::event::{self as ev, ProblemEvent};
use super::state::{Problem, ProblemId, ProblemStatus};
use crate::incident::{IncidentId, Status};
use crate::DomainError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemCommand {
    Open {
        id: ProblemId,
        title: String,
        description: String,
        configuration_item: Option<String>,
        service: Option<String>,
        recurrence_key: Option<String>,
        opened_by: String,
    },
    StartInvestigation {
        note: Option<String>,
    },
    RecordKnownError {
        workaround: String,
        root_cause: Option<String>,
    },
    Resolve {
        resolution: String,
    },
    Close {
        note: Option<String>,
    },
    LinkIncident {
        incident: IncidentId,
    },
    UnlinkIncident {
        incident: IncidentId,
    },
}

/// Problem statuses reuse the incident's error vocabulary; `Status` there names incident
/// statuses, so refusals here are reported as `NotAllowedInStatus` with the nearest incident
/// status for the HTTP mapping, and the message names the problem status.
pub fn decide(
    state: Option<&Problem>,
    command: &ProblemCommand,
) -> Result<Vec<ProblemEvent>, DomainError> {
    use ProblemCommand as C;
    let problem = match (state, command) {
        (
            None,
            C::Open {
                id,
                title,
                description,
                configuration_item,
                service,
                recurrence_key,
                opened_by,
            },
        ) => {
            if title.trim().is_empty() {
                return Err(DomainError::invalid("title", "must not be empty"));
            }
            return Ok(vec![ProblemEvent::ProblemOpened(ev::Opened {
                id: *id,
                title: title.clone(),
                description: description.clone(),
                configuration_item: configuration_item.clone(),
                service: service.clone(),
                recurrence_key: recurrence_key.clone(),
                opened_by: opened_by.clone(),
            })]);
        }
        (Some(_), C::Open { .. }) => return Err(DomainError::AlreadyExists),
        (None, _) => return Err(DomainError::NotFound),
        (Some(p), _) => p,
    };
    let refuse = |action: &'static str| DomainError::NotAllowedInStatus {
        action,
        status: nearest_incident_status(problem.status),
    };
    Ok(match command {
        C::Open { .. } => return Err(DomainError::AlreadyExists),
        C::StartInvestigation { note } => match problem.status {
            ProblemStatus::New => vec![ProblemEvent::ProblemInvestigationStarted(ev::Noted {
                note: note.clone(),
            })],
            ProblemStatus::Investigating => vec![],
            _ => return Err(refuse("start investigating")),
        },
        C::RecordKnownError {
            workaround,
            root_cause,
        } => {
            if workaround.trim().is_empty() {
                return Err(DomainError::invalid("workaround", "must not be empty"));
            }
            if !problem.status.is_open() {
                return Err(refuse("record a known error"));
            }
            vec![ProblemEvent::ProblemKnownErrorRecorded(ev::KnownError {
                workaround: workaround.clone(),
                root_cause: root_cause.clone(),
            })]
        }
        C::Resolve { resolution } => {
            if resolution.trim().is_empty() {
                return Err(DomainError::invalid("resolution", "must not be empty"));
            }
            if !problem.status.is_open() {
                return Err(refuse("resolve"));
            }
            vec![ProblemEvent::ProblemResolved(ev::Resolved {
                resolution: resolution.clone(),
            })]
        }
        C::Close { note } => match problem.status {
            ProblemStatus::Resolved => vec![ProblemEvent::ProblemClosed(ev::Noted {
                note: note.clone(),
            })],
            _ => return Err(refuse("close (resolve first)")),
        },
        C::LinkIncident { incident } => {
            if problem.status == ProblemStatus::Closed {
                return Err(refuse("link incidents to"));
            }
            if problem.incidents.contains(incident) {
                vec![]
            } else {
                vec![ProblemEvent::ProblemIncidentLinked(ev::IncidentLink {
                    incident: *incident,
                })]
            }
        }
        C::UnlinkIncident { incident } => {
            if problem.incidents.contains(incident) {
                vec![ProblemEvent::ProblemIncidentUnlinked(ev::IncidentLink {
                    incident: *incident,
                })]
            } else {
                vec![]
            }
        }
    })
}

fn nearest_incident_status(status: ProblemStatus) -> Status {
    match status {
        ProblemStatus::New => Status::New,
        ProblemStatus::Investigating | ProblemStatus::KnownError => Status::InProgress,
        ProblemStatus::Resolved => Status::Resolved,
        ProblemStatus::Closed => Status::Closed,
    }
}
