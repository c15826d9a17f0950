//! Escalation levels: what happens when a timer has run a given share of its target, before
//! the deadline (a reminder at 50%) or after it (a manager at 150%). Shares are of business
//! time, so a level after a breach at night falls in the next business hours, not at 03:00.

use super::TimerKind;
use crate::{FieldError, Priority};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationLevel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub timer: TimerKind,
    /// Share of the target, in percent (1 to 1000): below 100 fires before the deadline.
    pub at_percent: u16,
    /// Only tickets of these priorities (every priority when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<Priority>,
    /// Raise the ticket to this priority (never lowers it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raise_priority: Option<Priority>,
    /// Hand the ticket to this group (its assignee is cleared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassign_group: Option<String>,
    /// Who is to hear of it: people, groups or addresses. Recorded on the ticket as a
    /// notification request for the notifier to deliver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
}

/// More levels than anyone can follow are a configuration mistake.
const MAX_LEVELS: usize = 10;

impl EscalationLevel {
    pub fn applies_to(&self, timer: TimerKind, priority: Priority) -> bool {
        self.timer == timer && (self.priorities.is_empty() || self.priorities.contains(&priority))
    }
}

pub(super) fn validate(levels: &[EscalationLevel], errors: &mut Vec<FieldError>) {
    if levels.len() > MAX_LEVELS {
        errors.push(FieldError::new(
            "escalations",
            format!("at most {MAX_LEVELS} levels"),
        ));
    }
    for (i, level) in levels.iter().enumerate() {
        let field = |name: &str| format!("escalations[{i}].{name}");
        if !(1..=1000).contains(&level.at_percent) {
            errors.push(FieldError::new(
                field("at_percent"),
                format!("must be between 1 and 1000, not {}", level.at_percent),
            ));
        }
        if level.raise_priority.is_none()
            && level.reassign_group.is_none()
            && level.notify.is_empty()
        {
            errors.push(FieldError::new(
                format!("escalations[{i}]"),
                "give raise_priority, reassign_group or notify",
            ));
        }
        if level
            .reassign_group
            .as_deref()
            .is_some_and(|g| g.trim().is_empty())
        {
            errors.push(FieldError::new(
                field("reassign_group"),
                "must not be empty",
            ));
        }
        if level.notify.iter().any(|n| n.trim().is_empty()) {
            errors.push(FieldError::new(field("notify"), "names must not be empty"));
        }
        if levels[..i].iter().any(|l| {
            l.timer == level.timer
                && l.at_percent == level.at_percent
                && l.priorities == level.priorities
        }) {
            errors.push(FieldError::new(
                format!("escalations[{i}]"),
                "a second level at the same share of the same timer",
            ));
        }
    }
}
