use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::entry::CalendarView;
use utoipa::ToSchema;

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
