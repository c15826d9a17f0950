//! An SLA as clients define it: targets per ticket type and priority, warning share, and
//! what pauses the resolve clock.
//!
//! ```json
//! {"name": "Gold", "warn_percent": 75, "pause_when_pending": true,
//!  "pause_by_reason": {"awaiting_vendor": false},
//!  "targets": [{"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800,
//!               "resolve_seconds": 14400, "update_every_seconds": 3600}],
//!  "escalations": [{"timer": "resolve", "at_percent": 150, "raise_priority": "P1",
//!                   "reassign_group": "second-level", "notify": ["duty-manager"]}]}
//! ```

use super::{EscalationLevel, Target, TimerKind};
use crate::incident::PendingReason;
use crate::{FieldError, Priority};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketType {
    Incident,
    ServiceRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PriorityTargets {
    pub ticket_type: TicketType,
    pub priority: Priority,
    pub respond_seconds: Option<i64>,
    pub resolve_seconds: Option<i64>,
    /// The customer is told of progress at least this often ("regular intervals").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_every_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaSpec {
    pub name: String,
    pub targets: Vec<PriorityTargets>,
    /// Warn once this share of a target has run (1 to 99; default 75).
    #[serde(default = "default_warn")]
    pub warn_percent: u8,
    /// Whether `pending` pauses the resolve clock (default yes).
    #[serde(default = "yes")]
    pub pause_when_pending: bool,
    /// Pending reasons that pause otherwise (e.g. `{"awaiting_vendor": false}`: a vendor's
    /// delay is the provider's problem, the clock runs on).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pause_by_reason: BTreeMap<PendingReason, bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<EscalationLevel>,
}

fn default_warn() -> u8 {
    75
}

fn yes() -> bool {
    true
}

impl SlaSpec {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        }
        if !(1..=99).contains(&self.warn_percent) {
            errors.push(FieldError::new("warn_percent", "must be between 1 and 99"));
        }
        if self.targets.is_empty() {
            errors.push(FieldError::new(
                "targets",
                "an SLA needs at least one target",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, t) in self.targets.iter().enumerate() {
            let field = |name: &str| format!("targets[{i}].{name}");
            if !seen.insert((t.ticket_type, t.priority)) {
                errors.push(FieldError::new(
                    format!("targets[{i}]"),
                    format!("a second target for {:?} {}", t.ticket_type, t.priority),
                ));
            }
            if t.respond_seconds.is_none() && t.resolve_seconds.is_none() {
                errors.push(FieldError::new(
                    format!("targets[{i}]"),
                    "give respond_seconds, resolve_seconds or both",
                ));
            }
            for (name, value) in [
                ("respond_seconds", t.respond_seconds),
                ("resolve_seconds", t.resolve_seconds),
                ("update_every_seconds", t.update_every_seconds),
            ] {
                if let Some(v) = value.filter(|v| *v <= 0) {
                    errors.push(FieldError::new(
                        field(name),
                        format!("must be a positive number of seconds, not {v}"),
                    ));
                }
            }
        }
        super::escalation::validate(&self.escalations, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The timers a ticket of this type and priority runs (none for a priority without a row).
    pub fn targets_for(&self, ticket_type: TicketType, priority: Priority) -> Vec<Target> {
        let Some(row) = self
            .targets
            .iter()
            .find(|t| t.ticket_type == ticket_type && t.priority == priority)
        else {
            return Vec::new();
        };
        [
            (TimerKind::Respond, row.respond_seconds),
            (TimerKind::Resolve, row.resolve_seconds),
            (TimerKind::Update, row.update_every_seconds),
        ]
        .into_iter()
        .filter_map(|(kind, seconds)| {
            Some(Target {
                kind,
                business_seconds: u64::try_from(seconds?).ok()?,
                warn_percent: self.warn_percent,
            })
        })
        .collect()
    }

    /// Whether pending for `reason` pauses the resolve and update clocks.
    pub fn pauses(&self, reason: PendingReason) -> bool {
        self.pause_by_reason
            .get(&reason)
            .copied()
            .unwrap_or(self.pause_when_pending)
    }
}
