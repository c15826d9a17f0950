//! Every refusal is a ParseError naming the field at fault.

use crate::support::{body, read, read_json, received_at};
use serde_json::{json, Value};
use servicedesk_alarm_formats::{alertmanager, generic, nagios, pagerduty, zabbix, ParseError};

fn am(value: &Value) -> ParseError {
    alertmanager::parse(&body(value), received_at()).unwrap_err()
}

fn pd(value: &Value) -> ParseError {
    pagerduty::parse(&body(value), received_at()).unwrap_err()
}

fn gen(value: &Value) -> ParseError {
    generic::parse(&body(value), received_at()).unwrap_err()
}

fn pd_trigger() -> Value {
    read_json("pagerduty/02_trigger_api_schema_example.json")
}

#[test]
fn truncated_json_is_blamed_on_the_body() {
    let full = read("alertmanager/01_firing_two_alerts_zulip.json");
    let truncated = &full[..full.len() / 2];
    type Parser = fn(&[u8]) -> Result<(), ParseError>;
    let parsers: [(&str, Parser); 5] = [
        ("alertmanager", |b| {
            alertmanager::parse(b, received_at()).map(drop)
        }),
        ("pagerduty", |b| {
            pagerduty::parse(b, received_at()).map(drop)
        }),
        ("nagios json", |b| {
            nagios::parse_json(b, received_at()).map(drop)
        }),
        ("zabbix", |b| zabbix::parse(b, received_at()).map(drop)),
        ("generic", |b| generic::parse(b, received_at()).map(drop)),
    ];
    for (name, parse) in parsers {
        let err = parse(truncated).unwrap_err();
        assert_eq!(err.field, "body", "{name}");
        assert!(err.message.starts_with("invalid JSON"), "{name}: {err}");
        assert_eq!(parse(b"").unwrap_err().field, "body", "{name}: empty body");
    }
}

#[test]
fn alertmanager_missing_fields() {
    let mut value = read_json("alertmanager/05_firing_grouped_oncall_example.json");
    value.as_object_mut().unwrap().remove("alerts");
    assert_eq!(am(&value).field, "alerts");

    let mut value = read_json("alertmanager/05_firing_grouped_oncall_example.json");
    value["alerts"][1].as_object_mut().unwrap().remove("labels");
    assert_eq!(am(&value).field, "alerts[1].labels");

    let mut value = read_json("alertmanager/05_firing_grouped_oncall_example.json");
    value["alerts"][0].as_object_mut().unwrap().remove("status");
    assert_eq!(am(&value).field, "alerts[0].status");

    let mut value = read_json("alertmanager/05_firing_grouped_oncall_example.json");
    value["alerts"][0]["status"] = json!("pending");
    let err = am(&value);
    assert_eq!(err.field, "alerts[0].status");
    assert!(err.message.contains("pending"), "{err}");

    let mut value = read_json("alertmanager/05_firing_grouped_oncall_example.json");
    value["alerts"][0]["labels"]["job"] = json!(3);
    assert_eq!(am(&value).field, "alerts[0].labels.job");

    let mut value = read_json("alertmanager/05_firing_grouped_oncall_example.json");
    value["alerts"][0]["startsAt"] = json!("last tuesday");
    assert_eq!(am(&value).field, "alerts[0].startsAt");

    assert_eq!(am(&json!([])).field, "body");
}

#[test]
fn pagerduty_missing_fields() {
    for (field, remove_from_payload) in [
        ("routing_key", false),
        ("event_action", false),
        ("payload", false),
        ("summary", true),
        ("source", true),
        ("severity", true),
    ] {
        let mut value = pd_trigger();
        let target = if remove_from_payload {
            value["payload"].as_object_mut().unwrap()
        } else {
            value.as_object_mut().unwrap()
        };
        target.remove(field);
        let expected = if remove_from_payload {
            format!("payload.{field}")
        } else {
            field.to_owned()
        };
        assert_eq!(pd(&value).field, expected);
    }
}

#[test]
fn pagerduty_unknown_severity_lists_the_allowed_values() {
    let mut value = pd_trigger();
    value["payload"]["severity"] = json!("major");
    let err = pd(&value);
    assert_eq!(err.field, "payload.severity");
    assert!(
        err.message.contains("critical, error, warning, info"),
        "{err}"
    );
    // Case matters, as for PagerDuty.
    value["payload"]["severity"] = json!("Critical");
    assert_eq!(pd(&value).field, "payload.severity");
}

#[test]
fn pagerduty_unknown_action() {
    let mut value = pd_trigger();
    value["event_action"] = json!("escalate");
    let err = pd(&value);
    assert_eq!(err.field, "event_action");
    assert!(
        err.message.contains("trigger, acknowledge, resolve"),
        "{err}"
    );
}

#[test]
fn pagerduty_empty_and_oversized_summary() {
    let mut value = pd_trigger();
    value["payload"]["summary"] = json!("   ");
    assert_eq!(pd(&value).field, "payload.summary");
    value["payload"]["summary"] = json!("x".repeat(1025));
    let err = pd(&value);
    assert_eq!(err.field, "payload.summary");
    assert!(err.message.contains("1024"), "{err}");
    // Characters, not bytes: 1024 two-byte characters are fine.
    value["payload"]["summary"] = json!("é".repeat(1024));
    assert!(pagerduty::parse(&body(&value), received_at()).is_ok());
}

#[test]
fn pagerduty_oversized_dedup_key() {
    let mut value = pd_trigger();
    value["dedup_key"] = json!("k".repeat(256));
    let err = pd(&value);
    assert_eq!(err.field, "dedup_key");
    assert!(err.message.contains("255"), "{err}");
    value["dedup_key"] = json!("k".repeat(255));
    assert!(pagerduty::parse(&body(&value), received_at()).is_ok());

    let mut v1 = read_json("zabbix/03_pd-zabbix_trigger_event.json");
    v1["incident_key"] = json!("k".repeat(256));
    assert_eq!(pd(&v1).field, "incident_key");
}

#[test]
fn pagerduty_follow_ups_need_a_dedup_key() {
    let mut value = read_json("pagerduty/03_acknowledge_docs.json");
    value.as_object_mut().unwrap().remove("dedup_key");
    assert_eq!(pd(&value).field, "dedup_key");
    let mut value = read_json("pagerduty/04_resolve_docs.json");
    value["dedup_key"] = json!("");
    assert_eq!(pd(&value).field, "dedup_key");
    let mut v1 = read_json("nagios_icinga/02_pd-nagios_service_RECOVERY_to_resolve.json");
    v1.as_object_mut().unwrap().remove("incident_key");
    assert_eq!(pd(&v1).field, "incident_key");
}

#[test]
fn pagerduty_v1_trigger_needs_a_description() {
    let mut v1 = read_json("nagios_icinga/01_pd-nagios_service_PROBLEM_to_trigger.json");
    v1.as_object_mut().unwrap().remove("description");
    assert_eq!(pd(&v1).field, "description");
    let mut v1 = read_json("nagios_icinga/01_pd-nagios_service_PROBLEM_to_trigger.json");
    v1.as_object_mut().unwrap().remove("service_key");
    assert_eq!(pd(&v1).field, "service_key");
}

#[test]
fn generic_refusals() {
    let ok = json!({"severity": "error", "summary": "disk full", "host": "db1"});
    assert!(generic::parse(&body(&ok), received_at()).is_ok());

    let mut value = ok.clone();
    value.as_object_mut().unwrap().remove("severity");
    assert_eq!(gen(&value).field, "severity");

    let mut value = ok.clone();
    value["severity"] = json!("major");
    let err = gen(&value);
    assert_eq!(err.field, "severity");
    assert!(
        err.message.contains("critical, error, warning, info"),
        "{err}"
    );

    let mut value = ok.clone();
    value.as_object_mut().unwrap().remove("summary");
    assert_eq!(gen(&value).field, "summary");

    let mut value = ok.clone();
    value["summary"] = json!("");
    let err = gen(&value);
    assert_eq!(err.field, "summary");
    assert!(err.message.contains("empty"), "{err}");

    let mut value = ok.clone();
    value["summary"] = json!("s".repeat(1025));
    assert_eq!(gen(&value).field, "summary");

    let mut value = ok.clone();
    value["serverity"] = json!("error");
    let err = gen(&value);
    assert_eq!(err.field, "serverity");
    assert!(err.message.contains("unknown field"), "{err}");

    let mut value = ok.clone();
    value["status"] = json!("closed");
    assert_eq!(gen(&value).field, "status");

    let mut value = ok.clone();
    value["source"] = json!("nagiosxi");
    assert_eq!(gen(&value).field, "source");

    let mut value = ok.clone();
    value["links"] = json!([{"href": "https://x"}, {"url": "https://y"}]);
    assert_eq!(gen(&value).field, "links[1].url");

    let mut value = ok.clone();
    value["labels"] = json!({"env": 1});
    assert_eq!(gen(&value).field, "labels.env");

    let mut value = ok.clone();
    value["started_at"] = json!("2024-01-01 10:00");
    assert_eq!(gen(&value).field, "started_at");

    assert_eq!(
        gen(&json!([ok.clone(), {"summary": "x"}])).field,
        "[1].severity"
    );
    assert_eq!(gen(&json!([])).field, "body");
    assert_eq!(gen(&json!("alarm")).field, "body");
}

#[test]
fn zabbix_refusals() {
    let ok = json!({
        "event_id": "70", "event_value": "1", "severity": "4",
        "host": "db1", "trigger_name": "Disk full", "trigger_id": "13502",
    });
    assert!(zabbix::parse(&body(&ok), received_at()).is_ok());
    let zbx = |value: &Value| zabbix::parse(&body(value), received_at()).unwrap_err();

    let mut value = ok.clone();
    value["severity"] = json!("Urgent");
    let err = zbx(&value);
    assert_eq!(err.field, "severity");
    assert!(
        err.message
            .contains("0-5 or Not classified, Information, Warning, Average, High, Disaster"),
        "{err}"
    );
    value["severity"] = json!(6);
    assert_eq!(zbx(&value).field, "severity");

    for (field, expected) in [
        ("severity", "severity"),
        ("host", "host"),
        ("trigger_name", "event_name"),
        ("event_value", "event_value"),
    ] {
        let mut value = ok.clone();
        value.as_object_mut().unwrap().remove(field);
        assert_eq!(zbx(&value).field, expected, "without {field}");
    }

    let mut value = ok.clone();
    value["event_value"] = json!("2");
    assert_eq!(zbx(&value).field, "event_value");

    let mut value = ok.clone();
    value.as_object_mut().unwrap().remove("event_value");
    value["status"] = json!("FIRING");
    assert_eq!(zbx(&value).field, "status");

    let mut value = ok.clone();
    value["update_status"] = json!("yes");
    assert_eq!(zbx(&value).field, "update_status");

    let mut value = ok.clone();
    value["host"] = json!("{HOST.HOST}");
    assert_eq!(zbx(&value).field, "host");

    let mut zulip = read_json("zabbix/01_problem_high_zulip_template.json");
    zulip["severity"] = json!("Severe");
    assert_eq!(zbx(&zulip).field, "severity");
}

#[test]
fn nagios_refusals() {
    let form = |text: &str| nagios::parse_form(text.as_bytes(), received_at()).unwrap_err();
    let base = "HOSTNAME=web1&SERVICEDESC=HTTP&SERVICESTATE=CRITICAL";
    let err = form(&format!("NOTIFICATIONTYPE=OUTAGE&{base}"));
    assert_eq!(err.field, "NOTIFICATIONTYPE");
    assert!(err.message.contains("PROBLEM, RECOVERY"), "{err}");
    assert_eq!(form(base).field, "NOTIFICATIONTYPE");
    assert_eq!(
        form("NOTIFICATIONTYPE=PROBLEM&SERVICEDESC=HTTP&SERVICESTATE=CRITICAL").field,
        "HOSTNAME"
    );
    let err = form("NOTIFICATIONTYPE=PROBLEM&HOSTNAME=web1&SERVICEDESC=HTTP&SERVICESTATE=DOWN");
    assert_eq!(err.field, "SERVICESTATE");
    assert!(
        err.message.contains("OK, WARNING, CRITICAL, UNKNOWN"),
        "{err}"
    );
    assert_eq!(
        form("NOTIFICATIONTYPE=PROBLEM&HOSTNAME=web1&SERVICEDESC=HTTP").field,
        "SERVICESTATE"
    );
    assert_eq!(
        form("NOTIFICATIONTYPE=PROBLEM&NAGIOS_HOSTNAME=web1&NAGIOS_HOSTSTATE=SICK").field,
        "NAGIOS_HOSTSTATE",
        "the field as sent"
    );
    assert_eq!(
        form(&format!(
            "NOTIFICATIONTYPE=PROBLEM&{base}&SERVICESTATETYPE=MAYBE"
        ))
        .field,
        "SERVICESTATETYPE"
    );
    assert_eq!(
        form("NOTIFICATIONTYPE=PROBLEM&HOSTNAME=web1&HOSTSTATE=DOWN&pd_nagios_object=hostgroup")
            .field,
        "pd_nagios_object"
    );
    assert_eq!(
        form("NOTIFICATIONTYPE=PROBLEM&HOSTNAME=web1&HOSTSTATE=DOWN&pd_nagios_object=service")
            .field,
        "SERVICEDESC"
    );
    assert_eq!(
        form(&format!(
            "NOTIFICATIONTYPE=PROBLEM&{base}&LASTSERVICESTATECHANGE=soon"
        ))
        .field,
        "LASTSERVICESTATECHANGE"
    );
    let json = nagios::parse_json(
        br#"{"notification_type":"PROBLEM","host_name":"web1","host_state":"DOWN","source":"zabbix"}"#,
        received_at(),
    )
    .unwrap_err();
    assert_eq!(json.field, "source");
}
