//! Alertmanager/Grafana mapping rules on hand-written alerts.

use crate::support::{body, received_at, utc};
use serde_json::{json, Value};
use servicedesk_alarm_formats::{
    alertmanager, label_fingerprint, AlarmStatus, CanonicalAlarm, Severity, SourceKind,
};
use std::collections::BTreeMap;

fn alert(labels: Value, annotations: Value) -> Value {
    json!({
        "status": "firing",
        "labels": labels,
        "annotations": annotations,
        "startsAt": "2024-03-01T12:00:00.123456789+01:00",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
    })
}

fn webhook(alerts: Vec<Value>) -> Value {
    json!({"version": "4", "status": "firing", "receiver": "sd", "alerts": alerts})
}

fn parse(value: &Value) -> Vec<CanonicalAlarm> {
    alertmanager::parse(&body(value), received_at()).unwrap()
}

fn one(labels: Value, annotations: Value) -> CanonicalAlarm {
    parse(&webhook(vec![alert(labels, annotations)])).remove(0)
}

#[test]
fn same_alert_twice_gets_the_same_fingerprint() {
    let labels = json!({"alertname": "DiskFull", "instance": "db1:9100", "severity": "page"});
    let first = one(labels.clone(), json!({"summary": "disk 91% full"}));
    let second = one(labels.clone(), json!({"summary": "disk 97% full"}));
    assert_eq!(
        first.fingerprint, second.fingerprint,
        "annotations do not count"
    );
    let map: BTreeMap<String, String> = serde_json::from_value(labels).unwrap();
    assert_eq!(first.fingerprint, label_fingerprint(&map));
    let other = one(
        json!({"alertname": "DiskFull", "instance": "db2:9100", "severity": "page"}),
        json!({}),
    );
    assert_ne!(other.fingerprint, first.fingerprint);
}

#[test]
fn severity_label_spellings() {
    let cases = [
        (Some("CRIT"), Severity::Critical),
        (Some("page"), Severity::Critical),
        (Some("Major"), Severity::Error),
        (Some("average"), Severity::Warning),
        (Some("informational"), Severity::Info),
        (Some("P1"), Severity::Warning),
        (None, Severity::Warning),
    ];
    for (label, expected) in cases {
        let labels = match label {
            Some(value) => json!({"alertname": "A", "severity": value}),
            None => json!({"alertname": "A"}),
        };
        let alarm = one(labels, json!({}));
        assert_eq!(alarm.severity, expected, "{label:?}");
        assert_eq!(alarm.labels.get("severity").map(String::as_str), label);
    }
}

#[test]
fn identity_from_labels() {
    let alarm = one(
        json!({"alertname": "Down", "instance": "[2001:db8::5]:9100", "job": "node"}),
        json!({}),
    );
    assert_eq!(alarm.host.as_deref(), Some("2001:db8::5"));
    assert_eq!(alarm.configuration_item.as_deref(), Some("2001:db8::5"));
    assert_eq!(alarm.service.as_deref(), Some("node"));

    let alarm = one(
        json!({"alertname": "Down", "instance": "10.0.0.1:9100", "hostname": "db1",
               "ci": "CI-4711", "service": "billing", "job": "node"}),
        json!({}),
    );
    assert_eq!(alarm.host.as_deref(), Some("db1"));
    assert_eq!(alarm.configuration_item.as_deref(), Some("CI-4711"));
    assert_eq!(alarm.service.as_deref(), Some("billing"));
}

#[test]
fn summary_fallbacks() {
    let alarm = one(
        json!({"alertname": "A"}),
        json!({"message": "m", "description": "d"}),
    );
    assert_eq!(alarm.summary, "d");
    let alarm = one(
        json!({"alertname": "A"}),
        json!({"summary": " ", "message": "m"}),
    );
    assert_eq!(alarm.summary, "m");
    let alarm = one(json!({"alertname": "A"}), json!({}));
    assert_eq!(alarm.summary, "A");
    let alarm = one(json!({"team": "x"}), json!({}));
    assert_eq!(alarm.summary, format!("alert {}", alarm.fingerprint));
    assert_eq!(alarm.alarm_name, None);
}

#[test]
fn links_and_times() {
    let mut value = alert(
        json!({"alertname": "A"}),
        json!({"runbook_url": "https://runbooks/a"}),
    );
    value["imageURL"] = json!("https://grafana/img.png");
    let alarm = parse(&webhook(vec![value])).remove(0);
    let hrefs: Vec<&str> = alarm.links.iter().map(|l| l.href.as_str()).collect();
    assert_eq!(
        hrefs,
        [
            "http://prometheus:9090/graph",
            "https://runbooks/a",
            "https://grafana/img.png"
        ]
    );
    assert_eq!(
        alarm.started_at,
        Some(utc("2024-03-01T11:00:00.123456789Z"))
    );

    let mut value = alert(json!({"alertname": "A"}), json!({}));
    value["startsAt"] = json!("0001-01-01T00:00:00Z");
    assert_eq!(parse(&webhook(vec![value])).remove(0).started_at, None);
}

#[test]
fn lenient_about_unknown_fields_and_empty_groups() {
    let mut value = webhook(vec![alert(json!({"alertname": "A"}), json!({}))]);
    value["notification_reason"] = json!("new_alert");
    value["routeLabels"] = json!({"team": "x"});
    value["alerts"][0]["somethingNew"] = json!([1, 2]);
    assert_eq!(parse(&value).len(), 1);
    assert!(parse(&webhook(vec![])).is_empty());
}

#[test]
fn source_kind_detection() {
    let mut value = webhook(vec![alert(json!({"alertname": "A"}), json!({}))]);
    assert_eq!(parse(&value)[0].source, SourceKind::Alertmanager);
    value["version"] = json!("1");
    assert_eq!(parse(&value)[0].source, SourceKind::Grafana);
    value["version"] = json!("4");
    value["orgId"] = json!(1);
    assert_eq!(parse(&value)[0].source, SourceKind::Grafana);
}

#[test]
fn per_alert_status_not_group_status() {
    let mut resolved = alert(json!({"alertname": "B"}), json!({}));
    resolved["status"] = json!("resolved");
    let value = webhook(vec![alert(json!({"alertname": "A"}), json!({})), resolved]);
    let statuses: Vec<AlarmStatus> = parse(&value).iter().map(|a| a.status).collect();
    assert_eq!(statuses, [AlarmStatus::Firing, AlarmStatus::Resolved]);
}
