//! servicedesk's own Zabbix media type body.

use crate::support::{body, received_at, utc};
use serde_json::{json, Value};
use servicedesk_alarm_formats::{
    zabbix, AlarmStatus, CanonicalAlarm, Lifecycle, Severity, SourceKind,
};

fn parse(value: &Value) -> CanonicalAlarm {
    let mut alarms = zabbix::parse(&body(value), received_at()).unwrap();
    assert_eq!(alarms.len(), 1);
    alarms.remove(0)
}

fn problem() -> Value {
    json!({
        "event_id": "10528",
        "event_value": "1",
        "update_status": "0",
        "severity": "5",
        "host": "db1",
        "hostname": "Database 1",
        "host_ip": "10.0.0.5",
        "event_name": "Free disk space is less than 5% on /var",
        "trigger_name": "Free disk space is less than 5% on {#FSNAME}",
        "trigger_id": 14032,
        "item": "Free space on /var: 3.1 %",
        "link": "https://zabbix.example.com/tr_events.php?triggerid=14032&eventid=10528",
        "event_tags": [
            {"tag": "service", "value": "billing"},
            {"tag": "scope", "value": "capacity"}
        ],
        "event_date": "2024.01.31",
        "event_time": "12:34:56"
    })
}

#[test]
fn problem_maps_every_field() {
    let alarm = parse(&problem());
    assert_eq!(alarm.source, SourceKind::Zabbix);
    assert_eq!(alarm.fingerprint, "zabbix:14032:db1");
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.lifecycle, None);
    assert_eq!(alarm.severity, Severity::Critical, "5 = Disaster");
    assert_eq!(alarm.summary, "Free disk space is less than 5% on /var");
    assert_eq!(
        alarm.alarm_name.as_deref(),
        Some("Free disk space is less than 5% on {#FSNAME}")
    );
    assert_eq!(alarm.host.as_deref(), Some("db1"));
    assert_eq!(alarm.configuration_item.as_deref(), Some("db1"));
    assert_eq!(
        alarm.service.as_deref(),
        Some("billing"),
        "from the service tag"
    );
    assert_eq!(
        alarm.labels.get("scope").map(String::as_str),
        Some("capacity")
    );
    assert_eq!(
        alarm.labels.get("zabbix_severity").map(String::as_str),
        Some("Disaster")
    );
    let annotation = |k: &str| alarm.annotations.get(k).map(String::as_str);
    assert_eq!(annotation("host_ip"), Some("10.0.0.5"));
    assert_eq!(annotation("host_name"), Some("Database 1"));
    assert_eq!(annotation("event_id"), Some("10528"));
    assert_eq!(annotation("item"), Some("Free space on /var: 3.1 %"));
    assert_eq!(alarm.links.len(), 1);
    assert_eq!(alarm.started_at, Some(utc("2024-01-31T12:34:56Z")));
}

#[test]
fn recovery_and_updates_keep_the_fingerprint() {
    let firing = parse(&problem());
    let mut recovery = problem();
    recovery["event_value"] = json!("0");
    let resolved = parse(&recovery);
    assert_eq!(resolved.status, AlarmStatus::Resolved);
    assert_eq!(resolved.fingerprint, firing.fingerprint);

    let mut ack = problem();
    ack["update_status"] = json!("1");
    assert_eq!(parse(&ack).status, AlarmStatus::Acknowledged);
    ack["update_action"] = json!("commented");
    let commented = parse(&ack);
    assert_eq!(commented.status, AlarmStatus::Firing);
    assert_eq!(commented.lifecycle, Some(Lifecycle::Custom));
    assert_eq!(commented.fingerprint, firing.fingerprint);
}

#[test]
fn severities_by_number_and_name() {
    for (severity, expected) in [
        (json!(0), Severity::Info),
        (json!("1"), Severity::Info),
        (json!("Warning"), Severity::Warning),
        (json!("average"), Severity::Error),
        (json!(4), Severity::Error),
        (json!("Disaster"), Severity::Critical),
        (json!("Not classified"), Severity::Info),
    ] {
        let mut value = problem();
        value["severity"] = severity.clone();
        assert_eq!(parse(&value).severity, expected, "{severity}");
    }
}

#[test]
fn status_text_event_id_fingerprint_and_timezone() {
    let value = json!({
        "event_id": 77,
        "status": "RESOLVED",
        "severity": "High",
        "hostname": "web1",
        "name": "HTTP check failed",
        "event_tags": {"ci": "CI-9"},
        "event_date": "2024.01.31",
        "event_time": "12:34:56",
        "event_timezone": "+02:00"
    });
    let alarm = parse(&value);
    assert_eq!(alarm.fingerprint, "zabbix:event:77");
    assert_eq!(alarm.status, AlarmStatus::Resolved);
    assert_eq!(alarm.host.as_deref(), Some("web1"));
    assert_eq!(alarm.configuration_item.as_deref(), Some("CI-9"));
    assert_eq!(alarm.started_at, Some(utc("2024-01-31T10:34:56Z")));
}

/// The stock PagerDuty media type's parameter names, filled in, work too.
#[test]
fn stock_media_type_parameter_names() {
    let value = json!({
        "eventid": "70",
        "eventvalue": "1",
        "eventupdate": "0",
        "severity": "4",
        "hostname": "Zabbix server",
        "hostip": "127.0.0.1",
        "eventname": "Zabbix server: just restarted",
        "alert_subject": "Problem: Zabbix server: just restarted",
        "triggerid": "13502",
        "eventtags": "[{\"tag\":\"class\",\"value\":\"software\"}]",
        "url": "https://zabbix.example.com",
        "token": "secret"
    });
    let alarm = parse(&value);
    assert_eq!(alarm.fingerprint, "zabbix:13502:Zabbix server");
    assert_eq!(alarm.severity, Severity::Error);
    assert_eq!(alarm.summary, "Problem: Zabbix server: just restarted");
    assert_eq!(
        alarm.labels.get("class").map(String::as_str),
        Some("software")
    );
    assert_eq!(
        alarm.annotations.get("host_ip").map(String::as_str),
        Some("127.0.0.1")
    );
}
