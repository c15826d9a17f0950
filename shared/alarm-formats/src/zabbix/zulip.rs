//! The body Zulip's Zabbix media type posts (`hostname`, `severity`, `status`, `item`,
//! `trigger`, `link`): no event id, so the fingerprint comes from the trigger.

use super::event::ZabbixEvent;
use super::fields::Reader;
use super::severity::ZabbixSeverity;
use super::status;
use crate::canonical::{CanonicalAlarm, ParseError};
use crate::hash::stable_hash;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(super) const TRIGGER: &[&str] = &["trigger"];

pub(super) fn parse(
    reader: &Reader<'_>,
    received_at: DateTime<Utc>,
) -> Result<CanonicalAlarm, ParseError> {
    let root = reader.obj();
    let host = reader.required(&["hostname"])?.text;
    let trigger = reader.required(TRIGGER)?.text;
    let status_found = reader.required(&["status"])?;
    let problem = status::problem_from_status(&root.field_path("status"), &status_found)?;
    let (status, lifecycle) = status::status(problem, false, None);
    let severity_found = reader.required(&["severity"])?;
    let severity = ZabbixSeverity::parse_field(&root.field_path("severity"), &severity_found.text)?;
    let link = reader.value(&["link"])?;

    // Zulip's template builds the link from {TRIGGER.ID}: with it, the fingerprint is the same
    // as the native format's, and a problem pairs with its recovery even though Zabbix
    // words their trigger texts differently.
    let fingerprint = match link.as_deref().and_then(trigger_id_of_link) {
        Some(trigger_id) => format!("zabbix:{trigger_id}:{host}"),
        None => format!("zabbix:{}", stable_hash([host.as_str(), trigger.as_str()])),
    };
    let mut annotations = BTreeMap::new();
    if let Some(item) = reader.value(&["item"])? {
        annotations.insert("item".to_owned(), item);
    }

    let event = ZabbixEvent {
        fingerprint,
        host,
        summary: trigger.clone(),
        alarm_name: Some(trigger),
        severity,
        status,
        lifecycle,
        tags: BTreeMap::new(),
        annotations,
        link,
        started_at: None,
    };
    Ok(event.into_alarm(received_at))
}

/// The numeric `triggerid` query parameter of a Zabbix frontend link.
fn trigger_id_of_link(link: &str) -> Option<&str> {
    let (_, query) = link.split_once('?')?;
    query
        .split(['&', '#'])
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "triggerid")
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_id_from_link() {
        assert_eq!(
            trigger_id_of_link("https://z.example.com/tr_events.php?triggerid=14032&eventid=1"),
            Some("14032")
        );
        assert_eq!(trigger_id_of_link("https://z.example.com/"), None);
        assert_eq!(trigger_id_of_link("https://z/?triggerid=abc"), None);
    }
}
