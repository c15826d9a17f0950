//! nagios_icinga/05 and 06: notifications as form posts (01-04 are PagerDuty v1 events, see
//! the pagerduty tests).

use crate::support::{form_body, received_at, utc};
use servicedesk_alarm_formats::nagios::{self, CheckObject, CheckState, NotificationType};
use servicedesk_alarm_formats::{AlarmStatus, Severity, SourceKind};

#[test]
fn form_service_problem() {
    let body = form_body("nagios_icinga/05_form_service_PROBLEM.txt");
    let n = nagios::parse_form(&body, received_at()).unwrap();
    assert_eq!(n.notification_type, NotificationType::Problem);
    assert_eq!(n.object, CheckObject::Service);
    assert_eq!(n.state, CheckState::Critical);
    assert_eq!(n.raw_state, "CRITICAL");
    assert_eq!(n.state_type, None);
    let alarm = n.alarm;
    assert_eq!(alarm.source, SourceKind::Nagios);
    assert_eq!(alarm.fingerprint, "nagios:site1/first");
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.lifecycle, None);
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(alarm.summary, "CRITICAL: first on site1 - Service Down");
    assert_eq!(alarm.host.as_deref(), Some("site1"));
    assert_eq!(alarm.configuration_item.as_deref(), Some("site1"));
    assert_eq!(alarm.service.as_deref(), Some("first"));
    assert_eq!(alarm.alarm_name.as_deref(), Some("first"));
    let annotation = |k: &str| alarm.annotations.get(k).map(String::as_str);
    assert_eq!(annotation("output"), Some("Service Down"));
    assert_eq!(
        annotation("perfdata"),
        Some("last_updated=20.599114;;;; new_files=0;;;;")
    );
    assert_eq!(annotation("host_address"), Some("127.0.0.1"));
    assert_eq!(
        annotation("notification_time"),
        Some("Wed Sep 19 15:29:14 CEST 2018")
    );
    // Only LONGDATETIME is sent: CEST is read as +02:00.
    assert_eq!(alarm.started_at, Some(utc("2018-09-19T13:29:14Z")));
    assert_eq!(alarm.received_at, received_at());
}

#[test]
fn form_host_recovery() {
    let body = form_body("nagios_icinga/06_form_host_RECOVERY.txt");
    let n = nagios::parse_form(&body, received_at()).unwrap();
    assert_eq!(n.notification_type, NotificationType::Recovery);
    assert_eq!(n.object, CheckObject::Host);
    assert_eq!(n.state, CheckState::Up);
    assert_eq!(n.raw_state, "UP");
    let alarm = n.alarm;
    assert_eq!(alarm.source, SourceKind::Nagios);
    assert_eq!(alarm.fingerprint, "nagios:heute");
    assert_eq!(alarm.status, AlarmStatus::Resolved);
    assert_eq!(alarm.severity, Severity::Info);
    assert_eq!(alarm.summary, "UP: heute - Packet received via smart PING");
    assert_eq!(alarm.host.as_deref(), Some("heute"));
    assert_eq!(alarm.service, None);
    assert_eq!(alarm.alarm_name.as_deref(), Some("host"));
    assert_eq!(alarm.labels.get("object").map(String::as_str), Some("host"));
    assert_eq!(
        alarm.labels.get("hostgroups").map(String::as_str),
        Some("check_mk")
    );
    // LASTHOSTSTATECHANGE (Unix seconds) wins over LONGDATETIME; both say 09:13:17 UTC.
    assert_eq!(alarm.started_at, Some(utc("2019-08-23T09:13:17Z")));
    assert!(
        !alarm.annotations.contains_key("notification_author"),
        "empty macro = absent"
    );
}

/// The same notification as JSON with the lowercase names maps to the same alarm.
#[test]
fn json_with_lowercase_names_matches_the_form() {
    let form = nagios::parse_form(
        &form_body("nagios_icinga/05_form_service_PROBLEM.txt"),
        received_at(),
    )
    .unwrap();
    let json = serde_json::json!({
        "notification_type": "PROBLEM",
        "host_name": "site1",
        "host_address": "127.0.0.1",
        "service_description": "first",
        "service_state": "CRITICAL",
        "output": "Service Down",
        "long_date_time": "Wed Sep 19 15:29:14 CEST 2018",
        "service_perfdata": "last_updated=20.599114;;;; new_files=0;;;;",
        "pd_nagios_object": "service",
    });
    let parsed = nagios::parse_json(&serde_json::to_vec(&json).unwrap(), received_at()).unwrap();
    assert_eq!(parsed.alarm, form.alarm);
    assert_eq!(parsed.state, form.state);
}
