//! One alarm object of the generic format.

use crate::canonical::{AlarmLink, AlarmStatus, CanonicalAlarm, ParseError, Severity, SourceKind};
use crate::hash::stable_hash;
use crate::json::{self, Obj};
use crate::names::list;
use chrono::{DateTime, Utc};

const FIELDS: [&str; 13] = [
    "source",
    "fingerprint",
    "severity",
    "status",
    "summary",
    "host",
    "configuration_item",
    "service",
    "alarm_name",
    "labels",
    "annotations",
    "links",
    "started_at",
];
const LINK_FIELDS: [&str; 2] = ["href", "text"];
const MAX_SUMMARY_CHARS: usize = 1024;

pub(super) fn parse(
    obj: &Obj<'_>,
    received_at: DateTime<Utc>,
) -> Result<CanonicalAlarm, ParseError> {
    deny_unknown(obj, &FIELDS)?;
    let summary = summary(obj)?;
    let host = text(obj, "host")?;
    let labels = obj.string_map("labels")?;
    let fingerprint = match text(obj, "fingerprint")? {
        Some(fingerprint) => fingerprint,
        None => stable_hash(
            labels
                .iter()
                .flat_map(|(name, value)| [name.as_str(), value.as_str()])
                .chain([host.as_deref().unwrap_or_default(), summary.as_str()]),
        ),
    };
    Ok(CanonicalAlarm {
        source: source(obj)?,
        fingerprint,
        severity: severity(obj)?,
        status: status(obj)?,
        lifecycle: None,
        summary,
        configuration_item: text(obj, "configuration_item")?.or_else(|| host.clone()),
        host,
        service: text(obj, "service")?,
        alarm_name: text(obj, "alarm_name")?,
        labels,
        annotations: obj.string_map("annotations")?,
        links: links(obj)?,
        started_at: started_at(obj)?,
        received_at,
    })
}

/// The first unknown field in name order, so the error does not depend on the JSON map's
/// iteration order.
fn deny_unknown(obj: &Obj<'_>, known: &[&str]) -> Result<(), ParseError> {
    match obj
        .keys()
        .filter(|key| !known.contains(&key.as_str()))
        .min()
    {
        Some(key) => Err(ParseError::new(
            obj.field_path(key),
            format!("unknown field; allowed: {}", list(known.iter().copied())),
        )),
        None => Ok(()),
    }
}

/// An optional string; blank counts as absent.
fn text(obj: &Obj<'_>, key: &str) -> Result<Option<String>, ParseError> {
    Ok(obj.opt_non_empty(key)?.map(|s| s.trim().to_owned()))
}

fn summary(obj: &Obj<'_>) -> Result<String, ParseError> {
    let summary = obj.req_str("summary")?.trim();
    let length = summary.chars().count();
    if length > MAX_SUMMARY_CHARS {
        return Err(ParseError::new(
            obj.field_path("summary"),
            format!("is {length} characters long; at most {MAX_SUMMARY_CHARS} are allowed"),
        ));
    }
    Ok(summary.to_owned())
}

fn severity(obj: &Obj<'_>) -> Result<Severity, ParseError> {
    let raw = obj
        .opt_str("severity")?
        .ok_or_else(|| json::required(&obj.field_path("severity")))?;
    Severity::from_name(raw).ok_or_else(|| {
        ParseError::new(
            obj.field_path("severity"),
            format!(
                "unknown severity {raw:?}; allowed: {}",
                list(Severity::ALL.map(Severity::as_str))
            ),
        )
    })
}

fn status(obj: &Obj<'_>) -> Result<AlarmStatus, ParseError> {
    let Some(raw) = obj.opt_str("status")? else {
        return Ok(AlarmStatus::Firing);
    };
    AlarmStatus::from_name(raw).ok_or_else(|| {
        ParseError::new(
            obj.field_path("status"),
            format!(
                "unknown status {raw:?}; allowed: {}",
                list(AlarmStatus::ALL.map(AlarmStatus::as_str))
            ),
        )
    })
}

fn source(obj: &Obj<'_>) -> Result<SourceKind, ParseError> {
    let Some(raw) = obj.opt_str("source")? else {
        return Ok(SourceKind::Generic);
    };
    SourceKind::from_name(raw).ok_or_else(|| {
        ParseError::new(
            obj.field_path("source"),
            format!(
                "unknown source {raw:?}; allowed: {}",
                list(SourceKind::ALL.map(SourceKind::as_str))
            ),
        )
    })
}

fn links(obj: &Obj<'_>) -> Result<Vec<AlarmLink>, ParseError> {
    let path = obj.field_path("links");
    obj.opt_array("links")?
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let link = Obj::new(item, json::index_path(&path, index))?;
            deny_unknown(&link, &LINK_FIELDS)?;
            Ok(AlarmLink {
                href: link.req_str("href")?.trim().to_owned(),
                text: text(&link, "text")?,
            })
        })
        .collect()
}

fn started_at(obj: &Obj<'_>) -> Result<Option<DateTime<Utc>>, ParseError> {
    let Some(raw) = obj.opt_str("started_at")? else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            ParseError::new(
                obj.field_path("started_at"),
                format!("not an RFC 3339 timestamp: {raw:?}"),
            )
        })
}
