use super::event::ProblemEvent;
use crate::incident::IncidentId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::stream_id!(ProblemId, "problem-");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemStatus {
    New,
    Investigating,
    KnownError,
    Resolved,
    Closed,
}

impl ProblemStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Investigating => "investigating",
            Self::KnownError => "known_error",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// Open problems still collect recurring incidents.
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Resolved | Self::Closed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub id: ProblemId,
    pub version: u64,
    pub status: ProblemStatus,
    pub title: String,
    pub description: String,
    pub configuration_item: Option<String>,
    pub service: Option<String>,
    /// What the recurrence was keyed on (an alarm fingerprint or "<ci>/<alarm name>").
    pub recurrence_key: Option<String>,
    pub workaround: Option<String>,
    pub root_cause: Option<String>,
    pub resolution: Option<String>,
    pub incidents: Vec<IncidentId>,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

pub fn evolve(state: Option<Problem>, event: &ProblemEvent, at: DateTime<Utc>) -> Option<Problem> {
    use ProblemEvent as E;
    if let E::ProblemOpened(o) = event {
        return Some(Problem {
            id: o.id,
            version: 0,
            status: ProblemStatus::New,
            title: o.title.clone(),
            description: o.description.clone(),
            configuration_item: o.configuration_item.clone(),
            service: o.service.clone(),
            recurrence_key: o.recurrence_key.clone(),
            workaround: None,
            root_cause: None,
            resolution: None,
            incidents: Vec::new(),
            opened_by: o.opened_by.clone(),
            opened_at: at,
            updated_at: at,
            resolved_at: None,
            closed_at: None,
        });
    }
    let mut p = state?;
    p.version += 1;
    p.updated_at = at;
    match event {
        E::ProblemOpened(_) => {}
        E::ProblemInvestigationStarted(_) => p.status = ProblemStatus::Investigating,
        E::ProblemKnownErrorRecorded(k) => {
            p.status = ProblemStatus::KnownError;
            p.workaround = Some(k.workaround.clone());
            if k.root_cause.is_some() {
                p.root_cause = k.root_cause.clone();
            }
        }
        E::ProblemResolved(r) => {
            p.status = ProblemStatus::Resolved;
            p.resolution = Some(r.resolution.clone());
            p.resolved_at = Some(at);
        }
        E::ProblemClosed(_) => {
            p.status = ProblemStatus::Closed;
            p.closed_at = Some(at);
        }
        E::ProblemIncidentLinked(l) => {
            if !p.incidents.contains(&l.incident) {
                p.incidents.push(l.incident);
            }
        }
        E::ProblemIncidentUnlinked(l) => p.incidents.retain(|i| *i != l.incident),
    }
    Some(p)
}
