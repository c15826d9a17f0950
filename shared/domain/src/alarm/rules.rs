//! The rules that turn alarms into incidents, configurable per integration. Defaults follow
//! what hosting contracts ask for: errors and criticals open incidents at once, warnings only
//! when they last, recoveries close what monitoring opened and nobody touched.

use super::flapping::FlapThresholds;
use crate::alarm::canonical::Severity;
use chrono::Duration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecoveryAction {
    /// Resolve (code `recovered`) an incident monitoring opened that no human has touched;
    /// otherwise only note the recovery on it.
    ResolveUntouched,
    /// Only note the recovery; people resolve.
    NoteOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AlarmRules {
    /// Severities that open an incident as soon as they fire.
    pub open_incident_for: Vec<Severity>,
    /// A warning opens an incident only if it is still firing after this long.
    pub warning_grace_seconds: i64,
    /// A new firing within this long after its incident was resolved reopens that incident.
    pub reopen_window_seconds: i64,
    pub recovery: RecoveryAction,
    pub flap_high_percent: f64,
    pub flap_low_percent: f64,
    /// Alarms from one host within this window join one incident.
    pub storm_window_seconds: i64,
    /// This many incidents of one alarm within the window make a problem.
    pub recurrence_threshold: usize,
    pub recurrence_window_seconds: i64,
}

impl Default for AlarmRules {
    fn default() -> Self {
        Self {
            open_incident_for: vec![Severity::Critical, Severity::Error],
            warning_grace_seconds: 15 * 60,
            reopen_window_seconds: 60 * 60,
            recovery: RecoveryAction::ResolveUntouched,
            flap_high_percent: FlapThresholds::default().high,
            flap_low_percent: FlapThresholds::default().low,
            storm_window_seconds: 5 * 60,
            recurrence_threshold: 3,
            recurrence_window_seconds: 7 * 24 * 60 * 60,
        }
    }
}

impl AlarmRules {
    pub fn flap_thresholds(&self) -> FlapThresholds {
        FlapThresholds {
            high: self.flap_high_percent,
            low: self.flap_low_percent,
        }
    }

    pub fn warning_grace(&self) -> Duration {
        Duration::seconds(self.warning_grace_seconds)
    }

    pub fn reopen_window(&self) -> Duration {
        Duration::seconds(self.reopen_window_seconds)
    }

    pub fn storm_window(&self) -> Duration {
        Duration::seconds(self.storm_window_seconds)
    }

    pub fn recurrence_window(&self) -> Duration {
        Duration::seconds(self.recurrence_window_seconds)
    }

    /// Checks the values a person configured; each problem names its field.
    pub fn validate(&self) -> Result<(), crate::DomainError> {
        let mut errors = Vec::new();
        let mut non_negative = |field: &str, v: i64| {
            if v < 0 {
                errors.push(crate::FieldError::new(field, "must not be negative"));
            }
        };
        non_negative("warning_grace_seconds", self.warning_grace_seconds);
        non_negative("reopen_window_seconds", self.reopen_window_seconds);
        non_negative("storm_window_seconds", self.storm_window_seconds);
        non_negative("recurrence_window_seconds", self.recurrence_window_seconds);
        if !(0.0..=100.0).contains(&self.flap_low_percent)
            || !(0.0..=100.0).contains(&self.flap_high_percent)
            || self.flap_low_percent >= self.flap_high_percent
        {
            errors.push(crate::FieldError::new(
                "flap_high_percent",
                "flap thresholds must satisfy 0 <= low < high <= 100",
            ));
        }
        if self.recurrence_threshold < 2 {
            errors.push(crate::FieldError::new(
                "recurrence_threshold",
                "must be at least 2",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::DomainError::Invalid(errors))
        }
    }
}
