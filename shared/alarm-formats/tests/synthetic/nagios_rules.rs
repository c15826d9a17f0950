//! Nagios/Icinga notification types, states and field spellings.

use crate::support::{received_at, utc};
use serde_json::json;
use servicedesk_alarm_formats::nagios::{
    self, CheckState, NagiosNotification, NotificationType, StateType,
};
use servicedesk_alarm_formats::{AlarmStatus, Lifecycle, Severity, SourceKind};

fn form(text: &str) -> NagiosNotification {
    nagios::parse_form(text.as_bytes(), received_at()).unwrap()
}

fn service(kind: &str, state: &str) -> NagiosNotification {
    form(&format!(
        "NOTIFICATIONTYPE={kind}&HOSTNAME=web1&SERVICEDESC=HTTP&SERVICESTATE={state}&SERVICEOUTPUT=out"
    ))
}

#[test]
fn status_and_lifecycle_by_notification_type() {
    let cases = [
        ("PROBLEM", "CRITICAL", AlarmStatus::Firing, None),
        ("RECOVERY", "OK", AlarmStatus::Resolved, None),
        (
            "ACKNOWLEDGEMENT",
            "CRITICAL",
            AlarmStatus::Acknowledged,
            None,
        ),
        (
            "FLAPPINGSTART",
            "WARNING",
            AlarmStatus::Firing,
            Some(Lifecycle::FlappingStart),
        ),
        (
            "FLAPPINGSTOP",
            "OK",
            AlarmStatus::Resolved,
            Some(Lifecycle::FlappingStop),
        ),
        (
            "FLAPPINGEND",
            "CRITICAL",
            AlarmStatus::Firing,
            Some(Lifecycle::FlappingStop),
        ),
        (
            "FLAPPINGDISABLED",
            "OK",
            AlarmStatus::Resolved,
            Some(Lifecycle::FlappingStop),
        ),
        (
            "DOWNTIMESTART",
            "CRITICAL",
            AlarmStatus::Firing,
            Some(Lifecycle::DowntimeStart),
        ),
        (
            "DOWNTIMEEND",
            "OK",
            AlarmStatus::Resolved,
            Some(Lifecycle::DowntimeEnd),
        ),
        (
            "DOWNTIMECANCELLED",
            "OK",
            AlarmStatus::Resolved,
            Some(Lifecycle::DowntimeCancelled),
        ),
        (
            "DOWNTIMEREMOVED",
            "WARNING",
            AlarmStatus::Firing,
            Some(Lifecycle::DowntimeCancelled),
        ),
        (
            "CUSTOM",
            "UNKNOWN",
            AlarmStatus::Firing,
            Some(Lifecycle::Custom),
        ),
    ];
    for (kind, state, status, lifecycle) in cases {
        let n = service(kind, state);
        assert_eq!(n.alarm.status, status, "{kind} {state}");
        assert_eq!(n.alarm.lifecycle, lifecycle, "{kind} {state}");
        assert_eq!(
            n.alarm.fingerprint, "nagios:web1/HTTP",
            "{kind}: one alarm per check"
        );
    }
    assert_eq!(
        service("FLAPPINGEND", "OK").notification_type,
        NotificationType::FlappingStop
    );
}

#[test]
fn severity_by_state() {
    for (state, severity) in [
        ("CRITICAL", Severity::Critical),
        ("WARNING", Severity::Warning),
        ("UNKNOWN", Severity::Error),
        ("OK", Severity::Info),
    ] {
        assert_eq!(
            service("PROBLEM", state).alarm.severity,
            severity,
            "{state}"
        );
    }
    for (state, severity) in [
        ("DOWN", Severity::Critical),
        ("UNREACHABLE", Severity::Error),
        ("UP", Severity::Info),
    ] {
        let n = form(&format!(
            "NOTIFICATIONTYPE=PROBLEM&HOSTNAME=web1&HOSTSTATE={state}"
        ));
        assert_eq!(n.alarm.severity, severity, "{state}");
        assert_eq!(n.alarm.fingerprint, "nagios:web1");
    }
}

#[test]
fn icinga_prefixed_fields_with_soft_state() {
    let n = form(
        "ICINGA_NOTIFICATIONTYPE=PROBLEM&ICINGA_HOSTNAME=web1&ICINGA_SERVICEDESC=HTTP\
         &ICINGA_SERVICESTATE=warning&ICINGA_SERVICESTATETYPE=SOFT&ICINGA_TIMET=1700000000",
    );
    assert_eq!(n.alarm.source, SourceKind::Icinga);
    assert_eq!(n.state, CheckState::Warning);
    assert_eq!(n.raw_state, "warning");
    assert_eq!(n.state_type, Some(StateType::Soft));
    assert_eq!(
        n.alarm.fingerprint, "nagios:web1/HTTP",
        "same key as Nagios"
    );
    assert_eq!(n.alarm.started_at, Some(utc("2023-11-14T22:13:20Z")));
    assert_eq!(n.alarm.summary, "WARNING: HTTP on web1");
}

#[test]
fn nagios_prefixed_fields_and_acknowledgement_comment() {
    let n = form(
        "NAGIOS_NOTIFICATIONTYPE=ACKNOWLEDGEMENT&NAGIOS_HOSTNAME=db1&NAGIOS_HOSTSTATE=DOWN\
         &NAGIOS_HOSTSTATETYPE=HARD&NAGIOS_NOTIFICATIONAUTHOR=alice\
         &NAGIOS_NOTIFICATIONCOMMENT=looking+into+it&NAGIOS_SERVICEDESC=",
    );
    assert_eq!(n.alarm.source, SourceKind::Nagios);
    assert_eq!(n.alarm.status, AlarmStatus::Acknowledged);
    assert_eq!(n.state_type, Some(StateType::Hard));
    assert_eq!(
        n.alarm.fingerprint, "nagios:db1",
        "empty SERVICEDESC = host check"
    );
    let annotation = |k: &str| n.alarm.annotations.get(k).map(String::as_str);
    assert_eq!(annotation("notification_author"), Some("alice"));
    assert_eq!(annotation("notification_comment"), Some("looking into it"));
}

#[test]
fn json_lowercase_names_numbers_and_source() {
    let value = json!({
        "notification_type": "Problem",
        "host_name": "web1",
        "service_description": "HTTP",
        "service_state": 2,
        "state_type": 1,
        "output": "HTTP 500",
        "source": "icinga2",
        "performance_data": ["ignored"],
    });
    let n = nagios::parse_json(&serde_json::to_vec(&value).unwrap(), received_at()).unwrap();
    assert_eq!(n.alarm.source, SourceKind::Icinga);
    assert_eq!(n.state, CheckState::Critical);
    assert_eq!(n.raw_state, "2");
    assert_eq!(n.state_type, Some(StateType::Hard));
    assert_eq!(n.alarm.summary, "CRITICAL: HTTP on web1 - HTTP 500");

    let value = json!({"NotificationType": "RECOVERY", "HostName": "web1", "state": "up"});
    let n = nagios::parse_json(&serde_json::to_vec(&value).unwrap(), received_at()).unwrap();
    assert_eq!(n.alarm.status, AlarmStatus::Resolved);
    assert_eq!(n.state, CheckState::Up);
}
