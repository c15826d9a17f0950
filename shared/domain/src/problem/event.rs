use super::state::ProblemId;
use crate::incident::IncidentId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemEvent {
    ProblemOpened(Opened),
    ProblemInvestigationStarted(Noted),
    ProblemKnownErrorRecorded(KnownError),
    ProblemResolved(Resolved),
    ProblemClosed(Noted),
    ProblemIncidentLinked(IncidentLink),
    ProblemIncidentUnlinked(IncidentLink),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opened {
    pub id: ProblemId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub configuration_item: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub recurrence_key: Option<String>,
    pub opened_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noted {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownError {
    pub workaround: String,
    #[serde(default)]
    pub root_cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub resolution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentLink {
    pub incident: IncidentId,
}

crate::event_codec!(ProblemEvent {
    ProblemOpened,
    ProblemInvestigationStarted,
    ProblemKnownErrorRecorded,
    ProblemResolved,
    ProblemClosed,
    ProblemIncidentLinked,
    ProblemIncidentUnlinked,
});

impl ProblemEvent {
    pub const SCHEMA_VERSION: u32 = 1;
}
