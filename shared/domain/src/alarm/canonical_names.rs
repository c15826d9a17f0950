//! Canonical spellings of the model's enums.
//!
//! The strict formats (the generic JSON, PagerDuty's severities) accept exactly these names, and
//! error messages list them, so they live in one place next to the types they name.

use super::canonical::{AlarmStatus, Severity, SourceKind};

impl Severity {
    /// Every severity, most urgent first (the order error messages list them in).
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Info,
    ];

    /// The wire name (`"critical"`, ...), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The severity whose wire name is exactly `name` (case-sensitive: strict formats only).
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl AlarmStatus {
    pub const ALL: [AlarmStatus; 3] = [
        AlarmStatus::Firing,
        AlarmStatus::Resolved,
        AlarmStatus::Acknowledged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmStatus::Firing => "firing",
            AlarmStatus::Resolved => "resolved",
            AlarmStatus::Acknowledged => "acknowledged",
        }
    }

    /// The status whose wire name is exactly `name`.
    pub fn from_name(name: &str) -> Option<AlarmStatus> {
        AlarmStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl SourceKind {
    pub const ALL: [SourceKind; 7] = [
        SourceKind::Alertmanager,
        SourceKind::Grafana,
        SourceKind::Pagerduty,
        SourceKind::Nagios,
        SourceKind::Icinga,
        SourceKind::Zabbix,
        SourceKind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Alertmanager => "alertmanager",
            SourceKind::Grafana => "grafana",
            SourceKind::Pagerduty => "pagerduty",
            SourceKind::Nagios => "nagios",
            SourceKind::Icinga => "icinga",
            SourceKind::Zabbix => "zabbix",
            SourceKind::Generic => "generic",
        }
    }

    /// The source kind whose wire name is exactly `name`.
    pub fn from_name(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for s in Severity::ALL {
            assert_eq!(Severity::from_name(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
        for s in AlarmStatus::ALL {
            assert_eq!(AlarmStatus::from_name(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
        for s in SourceKind::ALL {
            assert_eq!(SourceKind::from_name(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
        assert_eq!(Severity::from_name("Critical"), None);
    }
}
