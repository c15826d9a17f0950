//! Events API v2.
//!
//! Mapping of a trigger's fields:
//! - `payload.summary` -> summary; `payload.severity` -> severity (PagerDuty's four names)
//! - `payload.source` ("the unique location of the affected system, preferably a hostname or
//!   FQDN") -> host **and** configuration_item: it is the thing that is broken
//! - `payload.component` ("component of the source machine responsible for the event", e.g.
//!   mysql) -> service; `payload.class` ("the class/type of the event", e.g. disk) ->
//!   alarm_name, so recurrences group by source + class; source, component, group and class
//!   are also kept as labels (group has no canonical field)
//! - `payload.custom_details` -> annotations; `payload.timestamp` -> started_at
//! - `links[].href` (text), `images[].href` or else `images[].src` (alt), `client_url`
//!   (client) -> links
//! - `dedup_key` -> fingerprint (empty until assigned when the trigger had none)

use super::event::{read_event, Dialect, PagerDutyApi};
use super::{details, limits, PagerDutyEvent};
use crate::canonical::{AlarmLink, AlarmStatus, CanonicalAlarm, ParseError, Severity, SourceKind};
use crate::json::{self, Obj};
use crate::names::list;
use crate::time::parse_iso8601;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(super) fn parse(
    root: &Obj<'_>,
    received_at: DateTime<Utc>,
) -> Result<PagerDutyEvent, ParseError> {
    let dialect = Dialect {
        api: PagerDutyApi::V2,
        routing_key: "routing_key",
        action: "event_action",
        dedup_key: "dedup_key",
    };
    read_event(root, &dialect, received_at, trigger_alarm)
}

fn trigger_alarm(
    root: &Obj<'_>,
    dedup_key: Option<&str>,
    received_at: DateTime<Utc>,
) -> Result<CanonicalAlarm, ParseError> {
    let payload = root
        .opt_obj("payload")?
        .ok_or_else(|| json::required("payload"))?;
    let summary = payload.req_str("summary")?;
    limits::at_most(
        &payload.field_path("summary"),
        summary,
        limits::MAX_SUMMARY_CHARS,
    )?;
    let source = payload.req_str("source")?.trim().to_owned();
    let component = payload.opt_non_empty("component")?.map(str::to_owned);
    let class = payload.opt_non_empty("class")?.map(str::to_owned);

    let mut labels = BTreeMap::from([("source".to_owned(), source.clone())]);
    for key in ["component", "group", "class"] {
        if let Some(value) = payload.opt_non_empty(key)? {
            labels.insert(key.to_owned(), value.to_owned());
        }
    }

    Ok(CanonicalAlarm {
        source: SourceKind::Pagerduty,
        fingerprint: dedup_key.unwrap_or_default().to_owned(),
        severity: severity(&payload)?,
        status: AlarmStatus::Firing,
        lifecycle: None,
        summary: summary.to_owned(),
        host: Some(source.clone()),
        configuration_item: Some(source),
        service: component,
        alarm_name: class,
        labels,
        annotations: details::annotations(payload.get("custom_details")),
        links: links(root)?,
        started_at: timestamp(&payload)?,
        received_at,
    })
}

fn severity(payload: &Obj<'_>) -> Result<Severity, ParseError> {
    let field = payload.field_path("severity");
    let raw = payload
        .opt_str("severity")?
        .ok_or_else(|| json::required(&field))?;
    Severity::from_name(raw).ok_or_else(|| {
        ParseError::new(
            field,
            format!(
                "unknown severity {raw:?}; allowed: {}",
                list(Severity::ALL.map(Severity::as_str))
            ),
        )
    })
}

fn timestamp(payload: &Obj<'_>) -> Result<Option<DateTime<Utc>>, ParseError> {
    payload
        .opt_non_empty("timestamp")?
        .map(|raw| {
            parse_iso8601(raw).ok_or_else(|| {
                ParseError::new(
                    payload.field_path("timestamp"),
                    format!("not an ISO 8601 timestamp: {raw:?}"),
                )
            })
        })
        .transpose()
}

fn links(root: &Obj<'_>) -> Result<Vec<AlarmLink>, ParseError> {
    let mut out = Vec::new();
    for (index, item) in root
        .opt_array("links")?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let link = Obj::new(item, json::index_path("links", index))?;
        out.push(AlarmLink {
            href: link.req_str("href")?.to_owned(),
            text: link.opt_non_empty("text")?.map(str::to_owned),
        });
    }
    for (index, item) in root
        .opt_array("images")?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let image = Obj::new(item, json::index_path("images", index))?;
        // PagerDuty requires `src`; `href` is where clicking the image leads, the better link.
        let src = image.req_str("src")?;
        out.push(AlarmLink {
            href: image.opt_non_empty("href")?.unwrap_or(src).to_owned(),
            text: image.opt_non_empty("alt")?.map(str::to_owned),
        });
    }
    if let Some(client_url) = root.opt_non_empty("client_url")? {
        out.push(AlarmLink {
            href: client_url.to_owned(),
            text: root.opt_non_empty("client")?.map(str::to_owned),
        });
    }
    Ok(out)
}
