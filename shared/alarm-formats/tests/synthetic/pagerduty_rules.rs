//! PagerDuty rules the documented examples do not exercise.

use crate::support::{body, read_json, received_at, utc};
use serde_json::json;
use servicedesk_alarm_formats::pagerduty::{self, EventAction};
use servicedesk_alarm_formats::Severity;

#[test]
fn trigger_without_dedup_key_waits_for_one() {
    let mut value = read_json("pagerduty/02_trigger_api_schema_example.json");
    value.as_object_mut().unwrap().remove("dedup_key");
    let mut event = pagerduty::parse(&body(&value), received_at()).unwrap();
    assert_eq!(event.dedup_key, None);
    assert_eq!(event.alarm.as_ref().unwrap().fingerprint, "");
    event.assign_dedup_key("generated-1");
    assert_eq!(event.dedup_key.as_deref(), Some("generated-1"));
    assert_eq!(event.alarm.unwrap().fingerprint, "generated-1");
}

#[test]
fn timestamps_details_and_bad_timestamp() {
    let mut value = read_json("pagerduty/02_trigger_api_schema_example.json");
    value["payload"]["timestamp"] = json!("2015-07-17T10:42:58+02:00");
    value["payload"]["custom_details"] = json!("free text");
    let alarm = pagerduty::parse(&body(&value), received_at())
        .unwrap()
        .alarm
        .unwrap();
    assert_eq!(alarm.started_at, Some(utc("2015-07-17T08:42:58Z")));
    assert_eq!(
        alarm.annotations.get("details").map(String::as_str),
        Some("free text")
    );

    value["payload"]["timestamp"] = json!("17/07/2015");
    let err = pagerduty::parse(&body(&value), received_at()).unwrap_err();
    assert_eq!(err.field, "payload.timestamp");
}

#[test]
fn v1_contexts_and_default_severity() {
    let value = json!({
        "service_key": "k",
        "event_type": "trigger",
        "description": "Something broke",
        "details": {"free": "form", "n": 3},
        "contexts": [
            {"type": "link", "href": "https://a", "text": "A"},
            {"type": "image", "src": "https://img"}
        ]
    });
    let event = pagerduty::parse(&body(&value), received_at()).unwrap();
    assert_eq!(event.event_action, EventAction::Trigger);
    assert_eq!(event.dedup_key, None);
    let alarm = event.alarm.unwrap();
    assert_eq!(alarm.severity, Severity::Error, "no hint: error");
    assert_eq!(alarm.host, None);
    assert_eq!(alarm.annotations.get("n").map(String::as_str), Some("3"));
    let hrefs: Vec<&str> = alarm.links.iter().map(|l| l.href.as_str()).collect();
    assert_eq!(hrefs, ["https://a", "https://img"]);
}
