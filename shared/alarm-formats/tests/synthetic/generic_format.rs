//! The project's own alarm JSON.

use crate::support::{body, received_at, utc};
use serde_json::{json, Value};
use servicedesk_alarm_formats::{
    generic, stable_hash, AlarmLink, AlarmStatus, CanonicalAlarm, Severity, SourceKind,
};

fn parse(value: &Value) -> Vec<CanonicalAlarm> {
    generic::parse(&body(value), received_at()).unwrap()
}

#[test]
fn minimal_object_gets_the_defaults() {
    let alarms = parse(&json!({"severity": "warning", "summary": "queue backlog", "host": "mq1"}));
    assert_eq!(alarms.len(), 1);
    let alarm = &alarms[0];
    assert_eq!(alarm.source, SourceKind::Generic);
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.severity, Severity::Warning);
    assert_eq!(
        alarm.configuration_item.as_deref(),
        Some("mq1"),
        "defaults to host"
    );
    assert_eq!(alarm.fingerprint, stable_hash(["mq1", "queue backlog"]));
    assert_eq!(alarm.received_at, received_at());
}

#[test]
fn computed_fingerprint_covers_labels_host_and_summary() {
    let base =
        json!({"severity": "error", "summary": "s", "host": "h", "labels": {"b": "2", "a": "1"}});
    let alarm = parse(&base).remove(0);
    assert_eq!(
        alarm.fingerprint,
        stable_hash(["a", "1", "b", "2", "h", "s"])
    );
    assert_eq!(
        parse(&base).remove(0).fingerprint,
        alarm.fingerprint,
        "stable"
    );
    let mut other = base.clone();
    other["labels"]["a"] = json!("9");
    assert_ne!(parse(&other).remove(0).fingerprint, alarm.fingerprint);
    let mut explicit = base.clone();
    explicit["fingerprint"] = json!("my-key");
    assert_eq!(parse(&explicit).remove(0).fingerprint, "my-key");
}

#[test]
fn full_object_and_arrays() {
    let full = json!({
        "source": "zabbix",
        "fingerprint": "fp-1",
        "severity": "critical",
        "status": "acknowledged",
        "summary": "  API down  ",
        "host": "api1",
        "configuration_item": "CI-1",
        "service": "api",
        "alarm_name": "HTTP check",
        "labels": {"env": "prod"},
        "annotations": {"runbook": "restart it"},
        "links": [{"href": "https://status/api", "text": "Status"}, {"href": "https://x"}],
        "started_at": "2024-05-01T08:00:00+02:00",
    });
    let alarms = parse(&json!([full, {"severity": "info", "summary": "second"}]));
    assert_eq!(alarms.len(), 2);
    let alarm = &alarms[0];
    assert_eq!(alarm.source, SourceKind::Zabbix);
    assert_eq!(alarm.fingerprint, "fp-1");
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(alarm.status, AlarmStatus::Acknowledged);
    assert_eq!(alarm.summary, "API down");
    assert_eq!(alarm.configuration_item.as_deref(), Some("CI-1"));
    assert_eq!(alarm.service.as_deref(), Some("api"));
    assert_eq!(alarm.alarm_name.as_deref(), Some("HTTP check"));
    assert_eq!(alarm.labels.get("env").map(String::as_str), Some("prod"));
    assert_eq!(
        alarm.annotations.get("runbook").map(String::as_str),
        Some("restart it")
    );
    assert_eq!(
        alarm.links,
        vec![
            AlarmLink {
                href: "https://status/api".to_owned(),
                text: Some("Status".to_owned())
            },
            AlarmLink {
                href: "https://x".to_owned(),
                text: None
            },
        ]
    );
    assert_eq!(alarm.started_at, Some(utc("2024-05-01T06:00:00Z")));
    assert_eq!(alarms[1].source, SourceKind::Generic);
    assert_eq!(alarms[1].host, None);
}
