//! The notification's fields under one spelling, remembering how each was sent (errors name
//! the field the sender wrote, not our normalised key).

use std::collections::BTreeMap;

#[derive(Default)]
pub(super) struct Fields {
    /// Normalised name -> (name as sent, value). Only non-blank values are kept.
    values: BTreeMap<String, (String, String)>,
    /// Some field carried the `ICINGA_` prefix.
    pub(super) icinga_prefixed: bool,
}

impl Fields {
    /// Adds a field; the first non-blank value for a name wins (a sender that writes both
    /// `NAGIOS_HOSTNAME` and `HOSTNAME` means the same thing twice).
    pub(super) fn insert(&mut self, key_as_sent: &str, value: String) {
        let (name, icinga) = normalize(key_as_sent);
        if value.trim().is_empty() {
            return;
        }
        self.icinga_prefixed |= icinga;
        self.values
            .entry(name)
            .or_insert_with(|| (key_as_sent.to_owned(), value));
    }

    /// The value of the first of `names` (normalised spellings) that is present, with the
    /// field name as sent.
    pub(super) fn first(&self, names: &[&str]) -> Option<(&str, &str)> {
        names
            .iter()
            .find_map(|name| self.values.get(*name))
            .map(|(sent, value)| (sent.as_str(), value.as_str()))
    }

    pub(super) fn value(&self, names: &[&str]) -> Option<&str> {
        self.first(names).map(|(_, value)| value)
    }
}

/// Upper case, without a `NAGIOS_`/`ICINGA_` prefix, without `_` and `-`, then aliases.
/// Returns the name and whether the Icinga prefix was there.
fn normalize(key: &str) -> (String, bool) {
    let upper = key.trim().to_ascii_uppercase();
    let (rest, icinga) = if let Some(rest) = upper.strip_prefix("ICINGA_") {
        (rest, true)
    } else {
        (upper.strip_prefix("NAGIOS_").unwrap_or(&upper), false)
    };
    let squashed: String = rest.chars().filter(|c| !matches!(c, '_' | '-')).collect();
    let name = match squashed.as_str() {
        "SERVICEDESCRIPTION" | "SERVICENAME" => "SERVICEDESC",
        "PDNAGIOSOBJECT" | "OBJECTTYPE" => "OBJECT",
        "ADDRESS" => "HOSTADDRESS",
        other => other,
    };
    (name.to_owned(), icinga)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_meet() {
        assert_eq!(normalize("NAGIOS_HOSTNAME"), ("HOSTNAME".to_owned(), false));
        assert_eq!(normalize("ICINGA_HOSTNAME"), ("HOSTNAME".to_owned(), true));
        assert_eq!(normalize("host_name"), ("HOSTNAME".to_owned(), false));
        assert_eq!(
            normalize("service_description"),
            ("SERVICEDESC".to_owned(), false)
        );
        assert_eq!(
            normalize("notification_type"),
            ("NOTIFICATIONTYPE".to_owned(), false)
        );
        assert_eq!(normalize("pd_nagios_object"), ("OBJECT".to_owned(), false));
    }

    #[test]
    fn first_non_blank_wins_and_keeps_the_sent_name() {
        let mut fields = Fields::default();
        fields.insert("SERVICEDESC", String::new());
        fields.insert("nagios_servicedesc", "HTTP".to_owned());
        fields.insert("SERVICEDESC", "ignored".to_owned());
        assert_eq!(
            fields.first(&["SERVICEDESC"]),
            Some(("nagios_servicedesc", "HTTP"))
        );
    }
}
