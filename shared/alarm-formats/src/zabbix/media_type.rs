//! servicedesk's own media type body (documented in the module root).

use super::event::ZabbixEvent;
use super::fields::Reader;
use super::severity::ZabbixSeverity;
use super::{status, tags};
use crate::canonical::{CanonicalAlarm, ParseError};
use crate::time::parse_iso8601;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use std::collections::BTreeMap;

pub(super) const EVENT_ID: &[&str] = &["event_id", "eventid"];
const EVENT_VALUE: &[&str] = &["event_value", "eventvalue"];
const STATUS: &[&str] = &["status", "event_status"];
const UPDATE_STATUS: &[&str] = &["update_status", "event_update_status", "eventupdate"];
const UPDATE_ACTION: &[&str] = &["update_action", "event_update_action"];
const SEVERITY: &[&str] = &["severity", "event_nseverity", "event_severity"];
const HOST: &[&str] = &["host", "hostname"];
const SUMMARY: &[&str] = &[
    "event_name",
    "trigger_name",
    "name",
    "subject",
    "alert_subject",
];
const ALARM_NAME: &[&str] = &["trigger_name", "name", "event_name"];
const TRIGGER_ID: &[&str] = &["trigger_id", "triggerid"];
const LINK: &[&str] = &["link", "url"];
const TAGS: &[&str] = &["event_tags", "event_tags_json", "eventtags"];

/// Optional fields kept as annotations: annotation name, then accepted field names.
const ANNOTATIONS: &[(&str, &[&str])] = &[
    ("event_id", EVENT_ID),
    ("trigger_id", TRIGGER_ID),
    ("host_ip", &["host_ip", "hostip"]),
    ("item", &["item"]),
    ("opdata", &["opdata", "event_opdata", "triggeropdata"]),
    (
        "trigger_description",
        &["trigger_description", "triggerdesc"],
    ),
    ("message", &["message", "alert_message"]),
    ("update_action", UPDATE_ACTION),
];

pub(super) fn parse(
    reader: &Reader<'_>,
    received_at: DateTime<Utc>,
) -> Result<CanonicalAlarm, ParseError> {
    let root = reader.obj();
    let event_id = reader.required(EVENT_ID)?.text;
    let problem = problem(reader)?;
    let update_found = reader.text(UPDATE_STATUS)?;
    let update_path = root.field_path(update_found.as_ref().map_or(UPDATE_STATUS[0], |f| f.name));
    let update = status::is_update(&update_path, update_found.as_ref())?;
    let update_action = reader.value(UPDATE_ACTION)?;
    let (status, lifecycle) = status::status(problem, update, update_action.as_deref());

    let severity_found = reader.required(SEVERITY)?;
    let severity =
        ZabbixSeverity::parse_field(&root.field_path(severity_found.name), &severity_found.text)?;
    let host = reader.required(HOST)?.text;
    let summary = reader.required(SUMMARY)?.text;
    let alarm_name = reader.value(ALARM_NAME)?;
    let fingerprint = match reader.value(TRIGGER_ID)? {
        Some(trigger_id) => format!("zabbix:{trigger_id}:{host}"),
        None => format!("zabbix:event:{event_id}"),
    };

    let mut annotations = BTreeMap::new();
    for (annotation, names) in ANNOTATIONS {
        if let Some(value) = reader.value(names)? {
            annotations.insert((*annotation).to_owned(), value);
        }
    }
    // When both names are sent, `host` is the technical name and `hostname` the visible one.
    if reader.obj().has("host") {
        if let Some(visible) = reader.value(&["hostname"])? {
            annotations.insert("host_name".to_owned(), visible);
        }
    }

    let event = ZabbixEvent {
        fingerprint,
        host,
        summary,
        alarm_name,
        severity,
        status,
        lifecycle,
        tags: tags::parse(root, TAGS)?,
        annotations,
        link: reader.value(LINK)?,
        started_at: started_at(reader)?,
    };
    Ok(event.into_alarm(received_at))
}

/// `event_value` when sent, else `status`; one of them is required.
fn problem(reader: &Reader<'_>) -> Result<bool, ParseError> {
    let root = reader.obj();
    if let Some(found) = reader.text(EVENT_VALUE)? {
        return status::problem_from_event_value(&root.field_path(found.name), &found);
    }
    if let Some(found) = reader.text(STATUS)? {
        return status::problem_from_status(&root.field_path(found.name), &found);
    }
    Err(ParseError::new(
        root.field_path("event_value"),
        "is required (or status)",
    ))
}

/// `started_at` (RFC 3339), else `event_date` + `event_time` in `event_timezone` (default UTC).
fn started_at(reader: &Reader<'_>) -> Result<Option<DateTime<Utc>>, ParseError> {
    let root = reader.obj();
    if let Some(found) = reader.text(&["started_at"])? {
        return parse_iso8601(&found.text).map(Some).ok_or_else(|| {
            ParseError::new(
                root.field_path("started_at"),
                format!("not an RFC 3339 timestamp: {:?}", found.text),
            )
        });
    }
    let date = reader.text(&["event_date", "eventdate"])?;
    let time = reader.text(&["event_time", "eventtime"])?;
    let (Some(date), Some(time)) = (date, time) else {
        return Ok(None);
    };
    let local =
        NaiveDateTime::parse_from_str(&format!("{} {}", date.text, time.text), "%Y.%m.%d %H:%M:%S")
            .map_err(|_| {
                ParseError::new(
                    root.field_path(date.name),
                    format!(
                "expected {{EVENT.DATE}} {{EVENT.TIME}} as YYYY.MM.DD HH:MM:SS, found {:?} {:?}",
                date.text, time.text
            ),
                )
            })?;
    let offset = match reader.text(&["event_timezone"])? {
        None => FixedOffset::east_opt(0),
        Some(zone) => parse_offset(&zone.text),
    }
    .ok_or_else(|| {
        ParseError::new(
            root.field_path("event_timezone"),
            "expected a UTC offset like +02:00",
        )
    })?;
    Ok(offset
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc)))
}

/// `+02:00`, `-0530`, `Z`, `UTC`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}
