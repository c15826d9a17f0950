//! The SLA a ticket runs on, as an event on the ticket (a snapshot: a later edit of the SLA or
//! calendar never rewrites the ticket's history), and its stopwatches, moved by the ticket's own
//! events.

use crate::calendar::{Calendar, CalendarSpec};
use crate::sla::{Fact, SlaSpec, Stopwatch, TicketType, TimerKind, TimerView};
use crate::Priority;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which contract, SLA and calendar a ticket runs on, with what they said when applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaApplied {
    pub contract: uuid::Uuid,
    pub sla: uuid::Uuid,
    pub spec: SlaSpec,
    /// None: around the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarSpec>,
}

/// The ticket's SLA and its two stopwatches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentSla {
    pub applied: SlaApplied,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub respond: Stopwatch,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub resolve: Stopwatch,
}

impl IncidentSla {
    /// Starts both clocks at the ticket's opening.
    pub fn start(applied: SlaApplied, opened_at: DateTime<Utc>, assigned: bool) -> Self {
        let mut sla = Self {
            applied,
            respond: Stopwatch::new(TimerKind::Respond),
            resolve: Stopwatch::new(TimerKind::Resolve),
        };
        sla.apply(Fact::Opened, opened_at);
        if assigned {
            sla.apply(Fact::Assigned, opened_at);
        }
        sla
    }

    pub fn calendar(&self) -> Calendar {
        self.applied
            .calendar
            .as_ref()
            .and_then(|spec| spec.validate().ok())
            .unwrap_or_else(Calendar::always)
    }

    /// The pause rule is the SLA's, whatever the priority.
    fn pause_rule(&self) -> crate::sla::Target {
        crate::sla::Target {
            kind: TimerKind::Resolve,
            business_seconds: 0,
            warn_percent: self.applied.spec.warn_percent,
            pause_when_pending: self.applied.spec.pause_when_pending,
        }
    }

    pub fn apply(&mut self, fact: Fact, at: DateTime<Utc>) {
        let calendar = self.calendar();
        let rule = self.pause_rule();
        self.respond.apply(&rule, fact, at, &calendar);
        self.resolve.apply(&rule, fact, at, &calendar);
    }

    /// The timers a ticket of this priority shows at `now` (only those its SLA has targets for).
    pub fn timers(&self, priority: Priority, now: DateTime<Utc>) -> Vec<TimerView> {
        let calendar = self.calendar();
        self.applied
            .spec
            .targets_for(TicketType::Incident, priority)
            .iter()
            .map(|target| {
                let watch = match target.kind {
                    TimerKind::Respond => &self.respond,
                    TimerKind::Resolve => &self.resolve,
                };
                watch.view(target, &calendar, now)
            })
            .collect()
    }
}
