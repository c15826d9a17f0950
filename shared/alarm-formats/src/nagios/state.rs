//! Check states, state types, and what they mean for severity.

use super::types::{CheckObject, CheckState, StateType};
use crate::canonical::Severity;

const SERVICE_STATES: [CheckState; 4] = [
    CheckState::Ok,
    CheckState::Warning,
    CheckState::Critical,
    CheckState::Unknown,
];
const HOST_STATES: [CheckState; 3] = [CheckState::Up, CheckState::Down, CheckState::Unreachable];

impl CheckState {
    /// Nagios' spelling (`$SERVICESTATE$`, `$HOSTSTATE$`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Ok => "OK",
            CheckState::Warning => "WARNING",
            CheckState::Critical => "CRITICAL",
            CheckState::Unknown => "UNKNOWN",
            CheckState::Up => "UP",
            CheckState::Down => "DOWN",
            CheckState::Unreachable => "UNREACHABLE",
        }
    }

    /// Any state name, case-insensitive, host or service.
    pub fn from_name(name: &str) -> Option<CheckState> {
        let name = name.trim();
        SERVICE_STATES
            .into_iter()
            .chain(HOST_STATES)
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
    }

    /// A state valid for `object`: its name (case-insensitive) or its numeric id
    /// (`$SERVICESTATEID$` 0-3, `$HOSTSTATEID$` 0-2).
    pub(crate) fn for_object(object: CheckObject, text: &str) -> Option<CheckState> {
        let allowed = Self::allowed(object);
        let text = text.trim();
        if let Ok(id) = text.parse::<usize>() {
            return allowed.get(id).copied();
        }
        allowed
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    pub(crate) fn allowed(object: CheckObject) -> &'static [CheckState] {
        match object {
            CheckObject::Service => &SERVICE_STATES,
            CheckObject::Host => &HOST_STATES,
        }
    }

    /// OK and UP: nothing is wrong.
    pub fn is_ok(self) -> bool {
        matches!(self, CheckState::Ok | CheckState::Up)
    }

    /// See the module documentation of [`crate::nagios`] for why UNKNOWN and UNREACHABLE are
    /// `error`.
    pub fn severity(self) -> Severity {
        match self {
            CheckState::Critical | CheckState::Down => Severity::Critical,
            CheckState::Unknown | CheckState::Unreachable => Severity::Error,
            CheckState::Warning => Severity::Warning,
            CheckState::Ok | CheckState::Up => Severity::Info,
        }
    }
}

impl StateType {
    /// HARD/SOFT (case-insensitive), or Icinga 2's numeric 1 (hard) / 0 (soft).
    pub(crate) fn from_text(text: &str) -> Option<StateType> {
        match text.trim().to_ascii_uppercase().as_str() {
            "HARD" | "1" => Some(StateType::Hard),
            "SOFT" | "0" => Some(StateType::Soft),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_by_name_and_id() {
        assert_eq!(
            CheckState::for_object(CheckObject::Service, "critical"),
            Some(CheckState::Critical)
        );
        assert_eq!(
            CheckState::for_object(CheckObject::Service, "3"),
            Some(CheckState::Unknown)
        );
        assert_eq!(
            CheckState::for_object(CheckObject::Host, "2"),
            Some(CheckState::Unreachable)
        );
        assert_eq!(CheckState::for_object(CheckObject::Host, "CRITICAL"), None);
        assert_eq!(CheckState::for_object(CheckObject::Service, "UP"), None);
        assert_eq!(CheckState::for_object(CheckObject::Service, "4"), None);
    }
}
