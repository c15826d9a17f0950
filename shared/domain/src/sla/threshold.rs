//! The points on a timer at which something happens, and the record that one was reached.
//! A ticket keeps the keys of the thresholds it reached, so deciding again (a second
//! scheduler, a retry after a lost race, a catch-up after downtime) fires nothing twice.

use super::TimerKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    Warning,
    Breach,
    /// The SLA's escalation level, by its place in the list.
    Escalation(u8),
}

/// A threshold of one target in one cycle of its timer. A new target (the priority changed)
/// has thresholds of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdKey {
    pub timer: TimerKind,
    pub threshold: Threshold,
    pub target_seconds: u64,
    #[serde(default)]
    pub cycle: u32,
}

/// A threshold reached, as recorded on the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdReached {
    pub timer: TimerKind,
    pub threshold: Threshold,
    pub target_seconds: u64,
    #[serde(default)]
    pub cycle: u32,
    /// The share of the target it marks.
    pub percent: u16,
    /// When it fell due; the event's own time is when it was recorded (later after downtime).
    pub due_at: DateTime<Utc>,
}

impl ThresholdReached {
    pub fn key(&self) -> ThresholdKey {
        ThresholdKey {
            timer: self.timer,
            threshold: self.threshold,
            target_seconds: self.target_seconds,
            cycle: self.cycle,
        }
    }
}
