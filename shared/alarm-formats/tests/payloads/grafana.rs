//! grafana/: Grafana-managed alerting webhooks, version "1".

use crate::support::{read, read_json, received_at, utc};
use servicedesk_alarm_formats::{
    alertmanager, label_fingerprint, AlarmLink, AlarmStatus, CanonicalAlarm, Severity, SourceKind,
};
use std::collections::BTreeMap;

fn parse(file: &str) -> Vec<CanonicalAlarm> {
    alertmanager::parse(&read(&format!("grafana/{file}")), received_at()).unwrap()
}

fn link(href: &str, text: &str) -> AlarmLink {
    AlarmLink {
        href: href.to_owned(),
        text: Some(text.to_owned()),
    }
}

#[test]
fn docs_example_two_firing_alerts() {
    let alarms = parse("01_firing_two_alerts_grafana_docs.json");
    assert_eq!(alarms.len(), 2);
    let fingerprints: Vec<&str> = alarms.iter().map(|a| a.fingerprint.as_str()).collect();
    assert_eq!(fingerprints, ["c6eadffa33fcdf37", "bc97ff14869b13e3"]);
    for alarm in &alarms {
        assert_eq!(alarm.source, SourceKind::Grafana);
        assert_eq!(alarm.status, AlarmStatus::Firing);
        assert_eq!(alarm.severity, Severity::Warning, "no severity label");
        assert_eq!(alarm.host, None);
        assert_eq!(
            alarm.annotations.get("values").map(String::as_str),
            Some(r#"{"B":44.23943737541908,"C":1}"#)
        );
    }
    assert_eq!(alarms[0].summary, "This alert was triggered for zone us-1");
    assert_eq!(alarms[0].alarm_name.as_deref(), Some("High memory usage"));
    assert_eq!(alarms[1].summary, "This alert was triggered for zone eu-1");
    assert_eq!(
        alarms[0].started_at,
        Some(utc("2021-10-12T07:51:03.157076Z"))
    );
    assert_eq!(
        alarms[0].links,
        vec![
            link("https://play.grafana.org/alerting/1afz29v7z/edit", "Source"),
            link("https://myrunbook.com/runbook/1234", "Runbook"),
            link(
                "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1",
                "Silence"
            ),
        ],
        "empty dashboardURL/panelURL skipped"
    );
}

#[test]
fn v9_firing_then_resolved_share_the_fingerprint() {
    let firing = parse("02_firing_single_v9_zulip.json");
    let resolved = parse("03_resolved_single_v9_zulip.json");
    assert_eq!((firing.len(), resolved.len()), (1, 1));
    assert_eq!(firing[0].fingerprint, "d8a21484c9c25a60");
    assert_eq!(resolved[0].fingerprint, "d8a21484c9c25a60");
    assert_eq!(firing[0].status, AlarmStatus::Firing);
    assert_eq!(resolved[0].status, AlarmStatus::Resolved);
    assert_eq!(firing[0].source, SourceKind::Grafana);
    assert_eq!(
        firing[0].summary,
        "This is a summary field, failure on some_host"
    );
    assert_eq!(
        resolved[0].summary,
        "This is a summary field, failure on <no value>"
    );
    assert_eq!(firing[0].alarm_name.as_deref(), Some("Test alert"));
    assert!(firing[0]
        .annotations
        .get("value_string")
        .is_some_and(|v| v.contains("value=24")));
}

/// Grafana fingerprints the full label set, including the private `__alert_rule_uid__`-style
/// labels it strips before sending, so the visible labels do not reproduce it. That is why
/// the sender's fingerprint is always preferred.
#[test]
fn grafana_fingerprints_cover_hidden_labels() {
    let labels: BTreeMap<String, String> = serde_json::from_value(
        read_json("grafana/02_firing_single_v9_zulip.json")["alerts"][0]["labels"].clone(),
    )
    .unwrap();
    assert_ne!(label_fingerprint(&labels), "d8a21484c9c25a60");
}

#[test]
fn mixed_group_yields_per_alert_statuses() {
    let value = read_json("grafana/04_mixed_group_firing_with_resolved_alerts_zulip.json");
    assert_eq!(value["status"], "firing", "the group says firing");
    let alarms = parse("04_mixed_group_firing_with_resolved_alerts_zulip.json");
    let statuses: Vec<AlarmStatus> = alarms.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses,
        [
            AlarmStatus::Resolved,
            AlarmStatus::Resolved,
            AlarmStatus::Firing
        ]
    );
    let fingerprints: Vec<&str> = alarms.iter().map(|a| a.fingerprint.as_str()).collect();
    assert_eq!(
        fingerprints,
        ["aaafafe0953f0962", "fb31814ac93dbe7d", "6f9cd313db421ef1"]
    );
    let hosts: Vec<Option<&str>> = alarms.iter().map(|a| a.host.as_deref()).collect();
    assert_eq!(
        hosts,
        [
            Some("badhost.example.com"),
            Some("otherhost.example.com"),
            None
        ]
    );
    assert_eq!(alarms[0].service.as_deref(), Some("rabbitmq"));
    assert_eq!(alarms[2].summary, "Testing **another** failing alert");
    assert_eq!(alarms[2].alarm_name.as_deref(), Some("Second webhook test"));
}

#[test]
fn grafana12_test_alert() {
    let alarms = parse("05_grafana12_test_alert_keep.json");
    assert_eq!(alarms.len(), 1);
    let alarm = &alarms[0];
    assert_eq!(alarm.source, SourceKind::Grafana);
    assert_eq!(alarm.fingerprint, "c4edaaf9f9f839b0");
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.severity, Severity::Warning);
    assert_eq!(alarm.summary, "TEST");
    assert_eq!(alarm.host.as_deref(), Some("Grafana"), "the instance label");
    assert_eq!(alarm.started_at, Some(utc("2026-05-05T13:04:57.62281314Z")));
    assert_eq!(
        alarm.links,
        vec![
            link("?orgId=1", "Source"),
            link("https://grafana.example.com/d/dashboard_uid", "Dashboard"),
            link(
                "https://grafana.example.com/d/dashboard_uid?viewPanel=1",
                "Panel"
            ),
            link(
                "https://grafana.example.com/alerting/silence/new",
                "Silence"
            ),
        ]
    );
    assert_eq!(
        alarm.annotations.get("values").map(String::as_str),
        Some(r#"{"B":22,"C":1}"#)
    );
}
