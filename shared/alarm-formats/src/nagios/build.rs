//! Turns the normalised fields into a notification (mapping documented in the module root).

use super::clock::parse_long_date_time;
use super::fields::Fields;
use super::per_object::PerObject;
use super::read::{notification_type, object, required, source_kind, state, state_type};
use super::types::{CheckObject, CheckState, NagiosNotification};
use crate::canonical::{AlarmLink, CanonicalAlarm, ParseError};
use crate::time::from_unix_seconds;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub(super) fn build(
    fields: &Fields,
    received_at: DateTime<Utc>,
) -> Result<NagiosNotification, ParseError> {
    let source = source_kind(fields)?;
    let notification_type = notification_type(fields)?;
    let (_, host) = required(fields, &["HOSTNAME"])?;
    let object = object(fields)?;
    let service = match object {
        CheckObject::Service => Some(required(fields, &["SERVICEDESC"])?.1),
        CheckObject::Host => None,
    };
    let (state, raw_state) = state(fields, object)?;
    let state_type = state_type(fields, object)?;
    let (status, lifecycle) = notification_type.status_and_lifecycle(state);
    let per_object = PerObject::new(object);
    let output = fields.value(&[per_object.output, "OUTPUT"]);

    let alarm = CanonicalAlarm {
        source,
        fingerprint: fingerprint(host, service),
        severity: state.severity(),
        status,
        lifecycle,
        summary: summary(state, host, service, output),
        host: Some(host.to_owned()),
        configuration_item: Some(host.to_owned()),
        service: service.map(str::to_owned),
        alarm_name: Some(service.unwrap_or("host").to_owned()),
        labels: labels(fields, object),
        annotations: annotations(fields, &per_object),
        links: links(fields, &per_object),
        started_at: started_at(fields, &per_object)?,
        received_at,
    };
    Ok(NagiosNotification {
        alarm,
        notification_type,
        object,
        state,
        raw_state: raw_state.to_owned(),
        state_type,
    })
}

/// What a person reading the ticket wants to see; empty macros were dropped on reading.
fn annotations(fields: &Fields, per_object: &PerObject) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    let annotation_sources: [(&str, &[&str]); 9] = [
        ("output", &[per_object.output, "OUTPUT"]),
        ("long_output", &[per_object.long_output, "LONGOUTPUT"]),
        ("perfdata", &[per_object.perfdata, "PERFDATA"]),
        ("host_address", &["HOSTADDRESS"]),
        (
            "notification_author",
            &["NOTIFICATIONAUTHOR", per_object.ack_author],
        ),
        (
            "notification_comment",
            &["NOTIFICATIONCOMMENT", per_object.ack_comment],
        ),
        ("notification_time", &["LONGDATETIME"]),
        ("notification_type", &["NOTIFICATIONTYPE"]),
        ("state_type", &[per_object.state_type, "STATETYPE"]),
    ];
    for (key, names) in annotation_sources {
        if let Some(value) = fields.value(names) {
            annotations.insert(key.to_owned(), value.to_owned());
        }
    }

    annotations
}

/// Few labels: the check's identity already is host + service; groups help routing rules.
fn labels(fields: &Fields, object: CheckObject) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([(
        "object".to_owned(),
        match object {
            CheckObject::Host => "host",
            CheckObject::Service => "service",
        }
        .to_owned(),
    )]);
    for (key, name) in [
        ("hostgroups", "HOSTGROUPNAMES"),
        ("servicegroups", "SERVICEGROUPNAMES"),
    ] {
        if let Some(value) = fields.value(&[name]) {
            labels.insert(key.to_owned(), value.to_owned());
        }
    }

    labels
}

fn fingerprint(host: &str, service: Option<&str>) -> String {
    match service {
        Some(service) => format!("nagios:{host}/{service}"),
        None => format!("nagios:{host}"),
    }
}

fn summary(state: CheckState, host: &str, service: Option<&str>, output: Option<&str>) -> String {
    let head = match service {
        Some(service) => format!("{}: {service} on {host}", state.as_str()),
        None => format!("{}: {host}", state.as_str()),
    };
    match output {
        Some(output) => format!("{head} - {}", output.trim()),
        None => head,
    }
}

fn links(fields: &Fields, per_object: &PerObject) -> Vec<AlarmLink> {
    [
        (per_object.notes_url, "Notes"),
        (per_object.action_url, "Action"),
    ]
    .into_iter()
    .filter_map(|(name, text)| {
        fields.value(&[name]).map(|href| AlarmLink {
            href: href.trim().to_owned(),
            text: Some(text.to_owned()),
        })
    })
    .collect()
}

/// When the current state began, else when the notification was sent. Unix-seconds macros
/// must be numbers (a malformed one is a sender bug worth reporting); 0 means "never".
fn started_at(
    fields: &Fields,
    per_object: &PerObject,
) -> Result<Option<DateTime<Utc>>, ParseError> {
    for name in [per_object.last_state_change, "TIMET"] {
        if let Some((sent, raw)) = fields.first(&[name]) {
            if raw.trim() == "0" {
                continue;
            }
            return from_unix_seconds(raw).map(Some).ok_or_else(|| {
                ParseError::new(sent, format!("expected Unix seconds, found {raw:?}"))
            });
        }
    }
    Ok(fields
        .value(&["LONGDATETIME"])
        .and_then(parse_long_date_time))
}
