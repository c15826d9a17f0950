//! Alertmanager has no severity field; by convention a `severity` label carries it, spelled
//! however the rule author liked.

use crate::canonical::Severity;

/// Maps a `severity` label value (case-insensitive, trimmed) to a canonical severity.
///
/// - critical, crit, fatal, page, emergency, emerg, alert, disaster -> critical
/// - error, err, high, major -> error
/// - warning, warn, average, minor -> warning
/// - info, information, informational, notice, debug, low, none, ok -> info
///
/// A missing label, or a value outside these lists, maps to **warning**: an alert was sent, so
/// someone should look, but nothing says it is urgent. Refusing the alert instead would make
/// Alertmanager retry a payload that can never succeed and lose the alarm. The original value
/// stays in the alarm's labels for rules and people to see.
pub fn severity_from_label(value: Option<&str>) -> Severity {
    let Some(value) = value else {
        return Severity::Warning;
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "critical" | "crit" | "fatal" | "page" | "emergency" | "emerg" | "alert" | "disaster" => {
            Severity::Critical
        }
        "error" | "err" | "high" | "major" => Severity::Error,
        "warning" | "warn" | "average" | "minor" => Severity::Warning,
        "info" | "information" | "informational" | "notice" | "debug" | "low" | "none" | "ok" => {
            Severity::Info
        }
        _ => Severity::Warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(severity_from_label(Some("CRITICAL")), Severity::Critical);
        assert_eq!(severity_from_label(Some(" page ")), Severity::Critical);
        assert_eq!(severity_from_label(Some("Major")), Severity::Error);
        assert_eq!(severity_from_label(Some("Warning")), Severity::Warning);
        assert_eq!(severity_from_label(Some("none")), Severity::Info);
        assert_eq!(severity_from_label(Some("sev2")), Severity::Warning);
        assert_eq!(severity_from_label(None), Severity::Warning);
    }
}
