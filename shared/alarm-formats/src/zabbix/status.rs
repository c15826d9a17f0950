//! Problem or recovery, and what an update event means (mapping in the module root).

use super::fields::Found;
use crate::canonical::{AlarmStatus, Lifecycle, ParseError};

/// `{EVENT.VALUE}`: 1 problem, 0 recovery.
pub(super) fn problem_from_event_value(path: &str, found: &Found<'_>) -> Result<bool, ParseError> {
    match found.text.as_str() {
        "1" => Ok(true),
        "0" => Ok(false),
        other => Err(ParseError::new(
            path,
            format!("unknown event value {other:?}; allowed: 1 (problem), 0 (recovery)"),
        )),
    }
}

/// `{EVENT.STATUS}`: PROBLEM, or OK/RESOLVED (case-insensitive).
pub(super) fn problem_from_status(path: &str, found: &Found<'_>) -> Result<bool, ParseError> {
    match found.text.to_ascii_uppercase().as_str() {
        "PROBLEM" => Ok(true),
        "OK" | "RESOLVED" => Ok(false),
        _ => Err(ParseError::new(
            path,
            format!(
                "unknown status {:?}; allowed: PROBLEM, OK, RESOLVED",
                found.text
            ),
        )),
    }
}

/// `{EVENT.UPDATE.STATUS}`: 1 for an update, 0 otherwise.
pub(super) fn is_update(path: &str, found: Option<&Found<'_>>) -> Result<bool, ParseError> {
    match found.map(|f| f.text.as_str()) {
        None | Some("0") => Ok(false),
        Some("1") => Ok(true),
        Some(other) => Err(ParseError::new(
            path,
            format!("unknown update status {other:?}; allowed: 0, 1"),
        )),
    }
}

/// The alarm status for a problem/recovery, possibly sent as an update.
pub(super) fn status(
    problem: bool,
    update: bool,
    update_action: Option<&str>,
) -> (AlarmStatus, Option<Lifecycle>) {
    if !problem {
        return (AlarmStatus::Resolved, None);
    }
    if !update {
        return (AlarmStatus::Firing, None);
    }
    let Some(action) = update_action.map(str::to_ascii_lowercase) else {
        // The media type sends updates for acknowledgements: that is the common case.
        return (AlarmStatus::Acknowledged, None);
    };
    if action.contains("closed") {
        (AlarmStatus::Resolved, None)
    } else if action.contains("unacknowledged") {
        (AlarmStatus::Firing, Some(Lifecycle::Custom))
    } else if action.contains("acknowledged") {
        (AlarmStatus::Acknowledged, None)
    } else {
        (AlarmStatus::Firing, Some(Lifecycle::Custom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates() {
        assert_eq!(status(false, true, None), (AlarmStatus::Resolved, None));
        assert_eq!(status(true, false, None), (AlarmStatus::Firing, None));
        assert_eq!(status(true, true, None), (AlarmStatus::Acknowledged, None));
        assert_eq!(
            status(true, true, Some("acknowledged, commented")),
            (AlarmStatus::Acknowledged, None)
        );
        assert_eq!(
            status(true, true, Some("unacknowledged")),
            (AlarmStatus::Firing, Some(Lifecycle::Custom))
        );
        assert_eq!(
            status(true, true, Some("commented")),
            (AlarmStatus::Firing, Some(Lifecycle::Custom))
        );
        assert_eq!(
            status(true, true, Some("closed")),
            (AlarmStatus::Resolved, None)
        );
    }
}
