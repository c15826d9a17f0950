use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicedesk_domain::calendar::{CalendarDoc, CalendarSpec};
use utoipa::ToSchema;

/// A calendar as the API shows it: its definition, with identity and version.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    pub id: uuid::Uuid,
    /// The ETag: the calendar stream's version.
    pub version: u64,
    #[serde(flatten)]
    pub spec: CalendarSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CalendarDoc> for CalendarView {
    fn from(c: CalendarDoc) -> Self {
        Self {
            id: c.id.0,
            version: c.version,
            spec: c.spec,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// When are `business_seconds` of business time after `start` over?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRequest {
    /// RFC 3339.
    pub start: Option<DateTime<Utc>>,
    pub business_seconds: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// The first instant at which the business time elapsed since `start` reaches
    /// `business_seconds` (it may be a segment's end), in UTC.
    pub due_at: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub business_seconds: u64,
    /// Wall-clock seconds from start to due.
    pub elapsed_seconds: i64,
}
