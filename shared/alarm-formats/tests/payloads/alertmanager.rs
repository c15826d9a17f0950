//! alertmanager/: Prometheus Alertmanager webhooks, version "4".

use crate::support::{read, read_json, received_at, utc};
use servicedesk_alarm_formats::{
    alertmanager, label_fingerprint, AlarmLink, AlarmStatus, CanonicalAlarm, Severity, SourceKind,
};
use std::collections::BTreeMap;

fn parse(file: &str) -> Vec<CanonicalAlarm> {
    alertmanager::parse(&read(&format!("alertmanager/{file}")), received_at()).unwrap()
}

fn labels_of(file: &str, index: usize) -> BTreeMap<String, String> {
    serde_json::from_value(
        read_json(&format!("alertmanager/{file}"))["alerts"][index]["labels"].clone(),
    )
    .unwrap()
}

#[test]
fn firing_two_alerts_zulip() {
    let alarms = parse("01_firing_two_alerts_zulip.json");
    assert_eq!(alarms.len(), 2);
    let fingerprints: Vec<&str> = alarms.iter().map(|a| a.fingerprint.as_str()).collect();
    assert_eq!(fingerprints, ["a1bc48475b20e73d", "c2ea85182f28cbd9"]);
    for alarm in &alarms {
        assert_eq!(alarm.source, SourceKind::Alertmanager);
        assert_eq!(alarm.status, AlarmStatus::Firing);
        assert_eq!(alarm.severity, Severity::Critical);
        assert_eq!(alarm.summary, "High CPU core temperature");
        assert_eq!(alarm.host.as_deref(), Some("andromeda"));
        assert_eq!(alarm.configuration_item.as_deref(), Some("andromeda"));
        assert_eq!(alarm.service, None);
        assert_eq!(alarm.alarm_name.as_deref(), Some("High CPU Temperature"));
        assert_eq!(alarm.lifecycle, None);
        assert_eq!(
            alarm.started_at,
            Some(utc("2020-02-06T00:17:58.432911368Z"))
        );
        assert_eq!(alarm.received_at, received_at());
        assert_eq!(alarm.links.len(), 1);
        assert_eq!(alarm.links[0].text.as_deref(), Some("Source"));
        assert!(alarm.links[0].href.starts_with("http://cobalt:9090/graph?"));
    }
    assert_eq!(
        alarms[0].annotations.get("description").map(String::as_str),
        Some("CPU core temperature is 34.75C")
    );
    assert_eq!(
        alarms[1].annotations.get("description").map(String::as_str),
        Some("CPU core temperature is 17.625C")
    );
}

/// The fixture's two alerts have identical labels but different fingerprints: the first is
/// the real FNV-1a of the labels, the second cannot be (the fixture was hand-edited). The
/// sender's fingerprint is used as sent, so they stay two alarms.
#[test]
fn zulip_fixture_second_fingerprint_is_not_derived_from_its_labels() {
    let file = "01_firing_two_alerts_zulip.json";
    assert_eq!(labels_of(file, 0), labels_of(file, 1));
    assert_eq!(label_fingerprint(&labels_of(file, 0)), "a1bc48475b20e73d");
    assert_ne!(label_fingerprint(&labels_of(file, 1)), "c2ea85182f28cbd9");
}

#[test]
fn firing_without_fingerprint_computes_alertmanagers_own() {
    let alarms = parse("02_firing_single_endsAt_in_future.json");
    assert_eq!(alarms.len(), 1);
    let alarm = &alarms[0];
    assert_eq!(alarm.fingerprint, "88cbf0084cf27726");
    assert_eq!(
        alarm.status,
        AlarmStatus::Firing,
        "a future endsAt does not resolve"
    );
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(
        alarm.summary, "Something is on fire",
        "from the message annotation"
    );
    assert_eq!(alarm.alarm_name.as_deref(), Some("Fire"));
    assert_eq!(alarm.host, None);
    assert_eq!(alarm.configuration_item, None);
    assert_eq!(
        alarm.started_at,
        Some(utc("2018-11-04T21:43:58.283995108Z"))
    );
}

#[test]
fn resolved_same_alert_gets_the_same_fingerprint() {
    let firing = parse("02_firing_single_endsAt_in_future.json");
    let resolved = parse("03_resolved_single_same_group.json");
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].status, AlarmStatus::Resolved);
    assert_eq!(resolved[0].fingerprint, firing[0].fingerprint);
    assert_eq!(resolved[0].started_at, firing[0].started_at);
}

#[test]
fn resolved_full_v4_with_fingerprint() {
    let file = "04_resolved_full_v4_truncatedAlerts_fingerprint.json";
    let alarms = parse(file);
    assert_eq!(alarms.len(), 1);
    let alarm = &alarms[0];
    assert_eq!(alarm.fingerprint, "fbab788ec4c1018b");
    assert_eq!(label_fingerprint(&labels_of(file, 0)), "fbab788ec4c1018b");
    assert_eq!(alarm.status, AlarmStatus::Resolved);
    assert_eq!(
        alarm.severity,
        Severity::Warning,
        "label `Warning`, any case"
    );
    assert_eq!(
        alarm.labels.get("severity").map(String::as_str),
        Some("Warning")
    );
    assert_eq!(alarm.summary, "Kubernetes Deployment Replicas Mismatch");
    assert_eq!(
        alarm.host.as_deref(),
        Some("192.168.69.53"),
        "instance without port"
    );
    assert_eq!(
        alarm.service.as_deref(),
        Some("eric-pm-kube-state-metrics"),
        "from job"
    );
    assert_eq!(alarm.alarm_name.as_deref(), Some("Deployment"));
    assert_eq!(alarm.labels.len(), 13);
    assert_eq!(alarm.started_at, Some(utc("2022-07-29T11:13:27.3Z")));
    assert_eq!(
        alarm.links,
        vec![AlarmLink {
            href: "/metrics/viewer/graph?g0.expr=kube_deployment_spec_replicas%7Bnamespace%3D%22eric-eo-cm-ci406%22%7D+%21%3D+kube_deployment_status_replicas_available%7Bnamespace%3D%22eric-eo-cm-ci406%22%7D&g0.tab=1".to_owned(),
            text: Some("Source".to_owned()),
        }],
        "relative generatorURL passed through"
    );
}

#[test]
fn grouped_oncall_example() {
    let file = "05_firing_grouped_oncall_example.json";
    let alarms = parse(file);
    assert_eq!(alarms.len(), 2);
    assert_eq!(alarms[0].fingerprint, "f404ecabc8dd5cd7");
    assert_eq!(alarms[1].fingerprint, "f8f08d4e32c61a9d");
    for (index, alarm) in alarms.iter().enumerate() {
        assert_eq!(
            label_fingerprint(&labels_of(file, index)),
            alarm.fingerprint
        );
        assert_eq!(
            alarm.source,
            SourceKind::Alertmanager,
            "OnCall's extra fields ignored"
        );
        assert_eq!(alarm.status, AlarmStatus::Firing);
        assert_eq!(alarm.severity, Severity::Critical);
        assert_eq!(alarm.host.as_deref(), Some("localhost"));
        assert_eq!(alarm.service.as_deref(), Some("node"));
        assert_eq!(alarm.alarm_name.as_deref(), Some("InstanceDown"));
        assert!(alarm.links.is_empty(), "empty generatorURL is no link");
        assert_eq!(alarm.started_at, Some(utc("2023-06-12T08:24:38.326Z")));
    }
    // No summary annotation: the description is next in line (the `title` annotation is not).
    assert_eq!(
        alarms[0].summary,
        "localhost:8081 of job node has been down for more than 1 minute."
    );
    assert_eq!(
        alarms[1].labels.get("group").map(String::as_str),
        Some("canary")
    );
}
