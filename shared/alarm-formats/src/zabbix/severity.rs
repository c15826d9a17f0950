//! Zabbix' six severities.

use crate::canonical::{ParseError, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZabbixSeverity {
    NotClassified = 0,
    Information = 1,
    Warning = 2,
    Average = 3,
    High = 4,
    Disaster = 5,
}

impl ZabbixSeverity {
    pub const ALL: [ZabbixSeverity; 6] = [
        ZabbixSeverity::NotClassified,
        ZabbixSeverity::Information,
        ZabbixSeverity::Warning,
        ZabbixSeverity::Average,
        ZabbixSeverity::High,
        ZabbixSeverity::Disaster,
    ];

    /// Zabbix' display name (`{EVENT.SEVERITY}`).
    pub fn name(self) -> &'static str {
        match self {
            ZabbixSeverity::NotClassified => "Not classified",
            ZabbixSeverity::Information => "Information",
            ZabbixSeverity::Warning => "Warning",
            ZabbixSeverity::Average => "Average",
            ZabbixSeverity::High => "High",
            ZabbixSeverity::Disaster => "Disaster",
        }
    }

    /// The number (`{EVENT.NSEVERITY}`, 0-5) or the name, case-insensitive (`_` for space
    /// accepted in "not_classified").
    pub fn from_text(text: &str) -> Option<ZabbixSeverity> {
        let text = text.trim();
        if let Ok(number) = text.parse::<usize>() {
            return ZabbixSeverity::ALL.get(number).copied();
        }
        let text = text.replace('_', " ");
        ZabbixSeverity::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(&text))
    }

    /// See the [`crate::zabbix`] module documentation for the reasoning.
    pub fn canonical(self) -> Severity {
        match self {
            ZabbixSeverity::NotClassified | ZabbixSeverity::Information => Severity::Info,
            ZabbixSeverity::Warning => Severity::Warning,
            ZabbixSeverity::Average | ZabbixSeverity::High => Severity::Error,
            ZabbixSeverity::Disaster => Severity::Critical,
        }
    }

    pub(super) fn parse_field(field: &str, text: &str) -> Result<ZabbixSeverity, ParseError> {
        ZabbixSeverity::from_text(text).ok_or_else(|| {
            ParseError::new(
                field,
                format!(
                    "unknown severity {text:?}; allowed: 0-5 or Not classified, Information, \
                     Warning, Average, High, Disaster"
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names() {
        assert_eq!(ZabbixSeverity::from_text("4"), Some(ZabbixSeverity::High));
        assert_eq!(
            ZabbixSeverity::from_text("high"),
            Some(ZabbixSeverity::High)
        );
        assert_eq!(
            ZabbixSeverity::from_text("Not classified"),
            Some(ZabbixSeverity::NotClassified)
        );
        assert_eq!(
            ZabbixSeverity::from_text("not_classified"),
            Some(ZabbixSeverity::NotClassified)
        );
        assert_eq!(ZabbixSeverity::from_text("6"), None);
        assert_eq!(ZabbixSeverity::from_text("urgent"), None);
    }

    #[test]
    fn canonical_mapping() {
        let mapped: Vec<Severity> = ZabbixSeverity::ALL.map(ZabbixSeverity::canonical).into();
        assert_eq!(
            mapped,
            vec![
                Severity::Info,
                Severity::Info,
                Severity::Warning,
                Severity::Error,
                Severity::Error,
                Severity::Critical
            ]
        );
    }
}
