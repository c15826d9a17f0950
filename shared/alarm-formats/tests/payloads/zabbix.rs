//! zabbix/01 and 02: the Zulip media type's body (03 and 04 are PagerDuty v1 events, see the
//! pagerduty tests; 05 and 06 are parameter templates, see reference_only).

use crate::support::{read, received_at};
use servicedesk_alarm_formats::{
    zabbix, AlarmLink, AlarmStatus, CanonicalAlarm, Severity, SourceKind,
};

fn parse(file: &str) -> CanonicalAlarm {
    let mut alarms = zabbix::parse(&read(&format!("zabbix/{file}")), received_at()).unwrap();
    assert_eq!(alarms.len(), 1);
    alarms.remove(0)
}

#[test]
fn zulip_problem_high() {
    let alarm = parse("01_problem_high_zulip_template.json");
    assert_eq!(alarm.source, SourceKind::Zabbix);
    assert_eq!(
        alarm.fingerprint, "zabbix:14032:www.example.com",
        "triggerid from the link"
    );
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.severity, Severity::Error, "High");
    assert_eq!(
        alarm.labels.get("zabbix_severity").map(String::as_str),
        Some("High")
    );
    assert_eq!(
        alarm.summary,
        "Zabbix agent on www.example.com is unreachable for 5 minutes"
    );
    assert_eq!(alarm.host.as_deref(), Some("www.example.com"));
    assert_eq!(alarm.configuration_item.as_deref(), Some("www.example.com"));
    assert_eq!(
        alarm.annotations.get("item").map(String::as_str),
        Some("Agent ping is Up (1)")
    );
    assert_eq!(
        alarm.links,
        vec![AlarmLink {
            href: "https://zabbix.example.com/tr_events.php?triggerid=14032&eventid=10528"
                .to_owned(),
            text: Some("Zabbix event".to_owned()),
        }]
    );
}

#[test]
fn zulip_recovery_pairs_with_its_problem() {
    let problem = parse("01_problem_high_zulip_template.json");
    let recovery = parse("02_ok_recovery_zulip_template.json");
    assert_eq!(recovery.status, AlarmStatus::Resolved);
    assert_eq!(recovery.severity, Severity::Error, "Average");
    assert_eq!(
        recovery.labels.get("zabbix_severity").map(String::as_str),
        Some("Average")
    );
    assert_eq!(
        recovery.summary,
        "Zabbix agent on www.example.com is reachable"
    );
    // Different trigger text and severity, same trigger id: the same alarm.
    assert_eq!(recovery.fingerprint, problem.fingerprint);
}
