//! SLA report figures: compliance (targets met in time over targets settled), breaches, mean
//! time to acknowledge and to resolve in business and wall-clock time, and the backlog with
//! its ageing. The rule for a period, the same for the report and for a simulation: a target
//! counts in the period in which it was settled: when it was met, if in time; when its time
//! ran out, if not. A target still running, or paused short of its time, is not settled yet.
//! MTTA and MTTR average the settled targets that have been met, in business seconds (on the
//! ticket's calendar) and in wall-clock seconds since the ticket opened.

use super::TimerKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetFigures {
    pub settled: u64,
    pub met: u64,
    pub breached: u64,
    /// met / settled, in percent; none when nothing settled.
    pub compliance_percent: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeanTime {
    /// Targets averaged over.
    pub count: u64,
    pub business_seconds: Option<f64>,
    pub wall_seconds: Option<f64>,
}

/// Open tickets at the report's end, by age.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Backlog {
    pub open: u64,
    pub under_1_day: u64,
    pub from_1_to_3_days: u64,
    pub from_3_to_7_days: u64,
    pub from_7_to_30_days: u64,
    pub over_30_days: u64,
}

impl Backlog {
    /// The bucket bounds, in seconds of age.
    pub const BOUNDS: [i64; 4] = [86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400];

    pub fn add(&mut self, age_seconds: i64, count: u64) {
        self.open += count;
        let slot = match Self::BOUNDS.iter().position(|b| age_seconds < *b) {
            Some(0) => &mut self.under_1_day,
            Some(1) => &mut self.from_1_to_3_days,
            Some(2) => &mut self.from_3_to_7_days,
            Some(3) => &mut self.from_7_to_30_days,
            _ => &mut self.over_30_days,
        };
        *slot += count;
    }
}

/// The figures of one group (or of everything).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportFigures {
    /// The group's value (customer, service or priority); none for the totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Both targets together.
    pub compliance_percent: Option<f64>,
    pub respond: TargetFigures,
    pub resolve: TargetFigures,
    /// Mean time to acknowledge (the respond target met).
    pub mtta: MeanTime,
    /// Mean time to resolve.
    pub mttr: MeanTime,
    pub backlog: Backlog,
}

/// A target missed in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breach {
    pub incident: uuid::Uuid,
    /// The incident in the API.
    pub link: String,
    pub timer: TimerKind,
    pub priority: crate::Priority,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub target_seconds: u64,
    /// When its time ran out.
    pub due_at: DateTime<Utc>,
    /// When it was met after all (none: not yet).
    pub met_at: Option<DateTime<Utc>>,
    /// Business seconds past the target when met.
    pub overdue_seconds: Option<u64>,
}

/// Adds up settled targets into figures.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    respond: Sums,
    resolve: Sums,
}

#[derive(Debug, Clone, Default)]
struct Sums {
    settled: u64,
    on_time: u64,
    met: u64,
    business: f64,
    wall: f64,
}

/// One settled target's figures, or a group of them summed already (SQL does that).
#[derive(Debug, Clone, Copy, Default)]
pub struct Settled {
    pub count: u64,
    pub on_time: u64,
    /// How many of them were met, and their business and wall seconds summed.
    pub met: u64,
    pub business_seconds: f64,
    pub wall_seconds: f64,
}

impl Tally {
    pub fn add(&mut self, timer: TimerKind, settled: Settled) {
        let sums = match timer {
            TimerKind::Respond => &mut self.respond,
            TimerKind::Resolve => &mut self.resolve,
            TimerKind::Update => return,
        };
        sums.settled += settled.count;
        sums.on_time += settled.on_time;
        sums.met += settled.met;
        sums.business += settled.business_seconds;
        sums.wall += settled.wall_seconds;
    }

    pub fn figures(&self, key: Option<String>, backlog: Backlog) -> ReportFigures {
        let settled = self.respond.settled + self.resolve.settled;
        let on_time = self.respond.on_time + self.resolve.on_time;
        ReportFigures {
            key,
            compliance_percent: percent(on_time, settled),
            respond: self.respond.target(),
            resolve: self.resolve.target(),
            mtta: self.respond.mean(),
            mttr: self.resolve.mean(),
            backlog,
        }
    }
}

impl Sums {
    fn target(&self) -> TargetFigures {
        TargetFigures {
            settled: self.settled,
            met: self.on_time,
            breached: self.settled - self.on_time,
            compliance_percent: percent(self.on_time, self.settled),
        }
    }

    fn mean(&self) -> MeanTime {
        let of = |sum: f64| (self.met > 0).then(|| sum / self.met as f64);
        MeanTime {
            count: self.met,
            business_seconds: of(self.business),
            wall_seconds: of(self.wall),
        }
    }
}

/// Rounded to two places, as people read it.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0)
}

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The end of what has happened: `to`, or now if `to` is ahead.
    pub as_of: DateTime<Utc>,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub priorities: Vec<crate::Priority>,
    pub group_by: Option<GroupBy>,
    /// Breaches listed at most (all are counted).
    pub breach_limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Customer,
    Service,
    Priority,
}

impl GroupBy {
    pub const NAMES: [&'static str; 3] = ["customer", "service", "priority"];

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Customer, Self::Service, Self::Priority]
            .into_iter()
            .zip(Self::NAMES)
            .find(|(_, n)| *n == text)
            .map(|(g, _)| g)
    }
}

/// An SLA report: the figures of everything in scope, of each group, and the breaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<GroupBy>,
    pub totals: ReportFigures,
    /// One per value of `group_by` (empty without it), by key.
    pub groups: Vec<ReportFigures>,
    pub breaches_total: u64,
    /// The first `breach_limit` breaches, in the order they fell due.
    pub breaches: Vec<Breach>,
}

/// A target's outcome, really or under a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetResult {
    /// None: the proposal has no such target for the ticket's priority.
    pub target_seconds: Option<u64>,
    pub due_at: Option<DateTime<Utc>>,
    pub met_at: Option<DateTime<Utc>>,
    pub on_time: bool,
    /// Counted in the period's figures.
    pub settled_in_period: bool,
}

/// One target of one ticket, as it was and as it would have been.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketComparison {
    pub incident: uuid::Uuid,
    pub link: String,
    pub timer: TimerKind,
    pub priority: crate::Priority,
    pub customer: Option<String>,
    pub service: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub real: TargetResult,
    pub simulated: TargetResult,
    /// Met in time in one and not in the other, or counted in one period and not the other.
    pub changed: bool,
}

/// A past period replayed under a proposed SLA or calendar, beside what really happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Simulation {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub real: ReportFigures,
    pub simulated: ReportFigures,
    /// Targets replayed; those listed come changed ones first, then in the order the tickets
    /// opened.
    pub tickets_total: u64,
    pub tickets_changed: u64,
    pub tickets: Vec<TicketComparison>,
}
