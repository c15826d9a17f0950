//! pagerduty/ (Events API v2), and the v1 events pd-nagios and pd-zabbix send
//! (nagios_icinga/01-04, zabbix/03-04).

use crate::support::{read, received_at, utc};
use servicedesk_alarm_formats::pagerduty::{self, EventAction, PagerDutyApi, PagerDutyEvent};
use servicedesk_alarm_formats::{AlarmLink, AlarmStatus, Severity, SourceKind};

fn parse(file: &str) -> PagerDutyEvent {
    pagerduty::parse(&read(file), received_at()).unwrap()
}

fn link(href: &str, text: &str) -> AlarmLink {
    AlarmLink {
        href: href.to_owned(),
        text: Some(text.to_owned()),
    }
}

#[test]
fn trigger_full_docs() {
    let event = parse("pagerduty/01_trigger_full_docs.json");
    assert_eq!(event.api, PagerDutyApi::V2);
    assert_eq!(event.routing_key, "samplekeyhere");
    assert_eq!(event.event_action, EventAction::Trigger);
    assert_eq!(event.dedup_key.as_deref(), Some("samplekeyhere"));
    let alarm = event.alarm.unwrap();
    let source =
        "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003";
    assert_eq!(alarm.source, SourceKind::Pagerduty);
    assert_eq!(alarm.fingerprint, "samplekeyhere");
    assert_eq!(alarm.status, AlarmStatus::Firing);
    assert_eq!(alarm.severity, Severity::Info);
    assert_eq!(alarm.summary, "Example alert on host1.example.com");
    assert_eq!(alarm.host.as_deref(), Some(source));
    assert_eq!(alarm.configuration_item.as_deref(), Some(source));
    assert_eq!(alarm.service.as_deref(), Some("postgres"));
    assert_eq!(alarm.alarm_name.as_deref(), Some("deploy"));
    assert_eq!(
        alarm.labels.get("group").map(String::as_str),
        Some("prod-datapipe")
    );
    assert_eq!(
        alarm.labels.get("component").map(String::as_str),
        Some("postgres")
    );
    assert_eq!(
        alarm.labels.get("class").map(String::as_str),
        Some("deploy")
    );
    assert_eq!(
        alarm.annotations.get("ping time").map(String::as_str),
        Some("1500ms")
    );
    assert_eq!(
        alarm.annotations.get("load avg").map(String::as_str),
        Some("0.75")
    );
    assert_eq!(alarm.started_at, Some(utc("2015-07-17T08:42:58.315Z")));
    assert_eq!(
        alarm.links,
        vec![
            link("https://example.com/", "Link text"),
            link("https://example.com/", "Example text"),
            link(
                "https://monitoring.example.com",
                "Sample Monitoring Service"
            ),
        ]
    );
}

#[test]
fn trigger_api_schema_example() {
    let event = parse("pagerduty/02_trigger_api_schema_example.json");
    assert_eq!(event.routing_key, "e93facc04764012d7bfb002500d5d1a6");
    assert_eq!(event.dedup_key.as_deref(), Some("srv01/mysql"));
    let alarm = event.alarm.unwrap();
    assert_eq!(alarm.fingerprint, "srv01/mysql");
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(
        alarm.summary,
        "DISK at 99% on machine prod-datapipe03.example.com"
    );
    assert_eq!(alarm.host.as_deref(), Some("prod-datapipe03.example.com"));
    assert_eq!(alarm.service.as_deref(), Some("mysql"));
    assert_eq!(alarm.alarm_name.as_deref(), Some("disk"));
    assert_eq!(alarm.annotations.len(), 3);
    assert_eq!(
        alarm.annotations.get("free space").map(String::as_str),
        Some("1%")
    );
    assert_eq!(alarm.links.len(), 3);
    assert_eq!(
        alarm.links[1].href, "https://google.com",
        "image href, not src"
    );
}

#[test]
fn acknowledge_and_resolve_docs() {
    let ack = parse("pagerduty/03_acknowledge_docs.json");
    assert_eq!(ack.event_action, EventAction::Acknowledge);
    assert_eq!(ack.dedup_key.as_deref(), Some("dedupkeyhere"));
    assert_eq!(ack.routing_key, "routingkeyhere");
    assert_eq!(ack.alarm, None);
    let resolve = parse("pagerduty/04_resolve_docs.json");
    assert_eq!(resolve.event_action, EventAction::Resolve);
    assert_eq!(resolve.dedup_key.as_deref(), Some("dedupkeyhere"));
    assert_eq!(resolve.alarm, None);
}

#[test]
fn checkmk_service_problem_trigger() {
    let event = parse("pagerduty/07_checkmk_nagios_service_problem_to_trigger.json");
    assert_eq!(event.event_action, EventAction::Trigger);
    assert_eq!(event.routing_key, "somehex");
    let alarm = event.alarm.unwrap();
    assert_eq!(alarm.fingerprint, "first/site1:127.0.0.1");
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(alarm.summary, "CRITICAL: first on site1");
    assert_eq!(
        alarm.host.as_deref(),
        Some("127.0.0.1"),
        "Checkmk's source is the address"
    );
    assert_eq!(
        alarm.annotations.get("host").map(String::as_str),
        Some("site1")
    );
    assert_eq!(
        alarm.annotations.get("info").map(String::as_str),
        Some("Service Down")
    );
    assert_eq!(alarm.started_at, None);
    assert_eq!(
        alarm.links,
        vec![link("http://localhost/testsite/view?key=val2", "Check_MK")]
    );
}

#[test]
fn checkmk_host_recovery_resolve_ignores_payload() {
    let event = parse("pagerduty/08_checkmk_nagios_host_recovery_to_resolve.json");
    assert_eq!(event.event_action, EventAction::Resolve);
    assert_eq!(event.dedup_key.as_deref(), Some("win7vm:10.3.1.239"));
    assert_eq!(event.alarm, None);
}

#[test]
fn pd_nagios_service_trigger_and_resolve_v1() {
    let trigger = parse("nagios_icinga/01_pd-nagios_service_PROBLEM_to_trigger.json");
    let key = "event_source=service;host_name=service.test.local;service_desc=service=test-service";
    assert_eq!(trigger.api, PagerDutyApi::V1);
    assert_eq!(trigger.routing_key, "DUMMY_SERVICE_KEY");
    assert_eq!(trigger.event_action, EventAction::Trigger);
    assert_eq!(trigger.dedup_key.as_deref(), Some(key));
    let alarm = trigger.alarm.unwrap();
    assert_eq!(alarm.source, SourceKind::Pagerduty);
    assert_eq!(alarm.fingerprint, key);
    assert_eq!(alarm.severity, Severity::Critical, "SERVICESTATE hint");
    assert_eq!(
        alarm.summary,
        "SERVICEDESC=service=test-service; SERVICESTATE=critical; HOSTNAME=service.test.local"
    );
    assert_eq!(alarm.host.as_deref(), Some("service.test.local"));
    assert_eq!(alarm.alarm_name.as_deref(), Some("service=test-service"));
    assert_eq!(
        alarm
            .annotations
            .get("pd_nagios_object")
            .map(String::as_str),
        Some("service")
    );
    assert!(alarm.links.is_empty(), "empty client_url");

    let resolve = parse("nagios_icinga/02_pd-nagios_service_RECOVERY_to_resolve.json");
    assert_eq!(resolve.event_action, EventAction::Resolve);
    assert_eq!(resolve.dedup_key.as_deref(), Some(key));
    assert_eq!(resolve.alarm, None);
}

#[test]
fn pd_nagios_host_trigger_and_resolve_v1() {
    let trigger = parse("nagios_icinga/03_pd-nagios_host_PROBLEM_to_trigger.json");
    let key = "event_source=host;host_name=host.test.local";
    assert_eq!(trigger.dedup_key.as_deref(), Some(key));
    let alarm = trigger.alarm.unwrap();
    // HOSTSTATE "critical" is no Nagios host state (UP/DOWN/UNREACHABLE); as a hint it still
    // reads as critical.
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(alarm.host.as_deref(), Some("host.test.local"));
    assert_eq!(alarm.alarm_name, None);
    assert_eq!(
        alarm.summary,
        "HOSTNAME=host.test.local; HOSTSTATE=critical"
    );

    let resolve = parse("nagios_icinga/04_pd-nagios_host_RECOVERY_to_resolve.json");
    assert_eq!(resolve.event_action, EventAction::Resolve);
    assert_eq!(resolve.dedup_key.as_deref(), Some(key));
}

#[test]
fn pd_zabbix_trigger_and_resolve_v1() {
    let trigger = parse("zabbix/03_pd-zabbix_trigger_event.json");
    assert_eq!(trigger.api, PagerDutyApi::V1);
    assert_eq!(trigger.event_action, EventAction::Trigger);
    assert_eq!(trigger.dedup_key.as_deref(), Some("13502-Zabbix server"));
    let alarm = trigger.alarm.unwrap();
    assert_eq!(alarm.severity, Severity::Error, "Zabbix High");
    assert_eq!(
        alarm.summary,
        "Zabbix server: just restarted : PROBLEM for Zabbix server"
    );
    assert_eq!(alarm.host.as_deref(), Some("Zabbix server"));
    assert_eq!(
        alarm.alarm_name.as_deref(),
        Some("Zabbix server: just restarted")
    );
    assert_eq!(
        alarm.annotations.get("event_id").map(String::as_str),
        Some("70")
    );

    let resolve = parse("zabbix/04_pd-zabbix_resolve_event.json");
    assert_eq!(resolve.event_action, EventAction::Resolve);
    assert_eq!(resolve.dedup_key.as_deref(), Some("13502-Zabbix server"));
    assert_eq!(resolve.alarm, None);
}
