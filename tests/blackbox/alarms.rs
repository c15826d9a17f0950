//! Alarm webhooks over HTTP with the real payloads in `shared/payloads`.

use crate::support::{spawn_app, Reply, TestApp};
use serde_json::{json, Value};
use std::path::PathBuf;

fn payload(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/payloads")
        .join(name);
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if name.ends_with(".txt") {
        // form payload files: comments, then the body on its own line
        let text = String::from_utf8(text).unwrap();
        let body = text
            .lines()
            .find(|l| !l.starts_with('#') && !l.trim().is_empty())
            .unwrap();
        return body.as_bytes().to_vec();
    }
    text
}

/// Registers an integration and returns its key.
fn integration(app: &TestApp, kind: &str) -> String {
    app.register_integration(&json!({"name": format!("{kind} test"), "kind": kind}))
}

fn post(app: &TestApp, path: &str, key: Option<&str>, content_type: &str, body: Vec<u8>) -> Reply {
    app.request("POST", path, key, &[], Some((content_type, body)))
}

fn accepted(reply: &Reply) -> Value {
    assert_eq!(reply.status, 202, "{}", reply.body);
    reply.json()
}

#[test]
fn alertmanager_payloads_are_recorded_per_alert_and_repeats_are_counted() {
    let app = spawn_app();
    let key = integration(&app, "alertmanager");
    let path = "/api/v1/alarms/alertmanager";
    let head = app.log_head();
    let first = accepted(&post(
        &app,
        path,
        Some(&key),
        "application/json",
        payload("alertmanager/01_firing_two_alerts_zulip.json"),
    ));
    assert_eq!(first["alarms"], 2);
    assert_eq!(first["events"], 2, "two fingerprints: two alarms raised");
    assert!(
        app.log_head() >= head + 2,
        "202 means durable: the events are in the log (the reactor may have added more)"
    );
    let again = accepted(&post(
        &app,
        path,
        Some(&key),
        "application/json",
        payload("alertmanager/01_firing_two_alerts_zulip.json"),
    ));
    assert_eq!(again["events"], 2, "a repeat is counted once per alarm");

    accepted(&post(
        &app,
        path,
        Some(&key),
        "application/json",
        payload("alertmanager/02_firing_single_endsAt_in_future.json"),
    ));
    let resolved = accepted(&post(
        &app,
        path,
        Some(&key),
        "application/json",
        payload("alertmanager/03_resolved_single_same_group.json"),
    ));
    assert_eq!(resolved["events"], 1);
    let resolved_again = accepted(&post(
        &app,
        path,
        Some(&key),
        "application/json",
        payload("alertmanager/03_resolved_single_same_group.json"),
    ));
    assert_eq!(
        resolved_again["events"], 0,
        "a retried resolve changes nothing"
    );
    for name in [
        "04_resolved_full_v4_truncatedAlerts_fingerprint.json",
        "05_firing_grouped_oncall_example.json",
    ] {
        accepted(&post(
            &app,
            path,
            Some(&key),
            "application/json",
            payload(&format!("alertmanager/{name}")),
        ));
    }
    for name in [
        "01_firing_two_alerts_grafana_docs.json",
        "02_firing_single_v9_zulip.json",
        "03_resolved_single_v9_zulip.json",
        "04_mixed_group_firing_with_resolved_alerts_zulip.json",
        "05_grafana12_test_alert_keep.json",
    ] {
        accepted(&post(
            &app,
            path,
            Some(&key),
            "application/json",
            payload(&format!("grafana/{name}")),
        ));
    }
}

#[test]
fn nagios_zabbix_and_canonical_payloads_are_accepted() {
    let app = spawn_app();
    let nagios = integration(&app, "nagios");
    let form = "application/x-www-form-urlencoded";
    let problem = accepted(&post(
        &app,
        "/api/v1/alarms/nagios",
        Some(&nagios),
        form,
        payload("nagios_icinga/05_form_service_PROBLEM.txt"),
    ));
    assert_eq!(problem["events"], 1);
    accepted(&post(
        &app,
        "/api/v1/alarms/nagios",
        Some(&nagios),
        form,
        payload("nagios_icinga/06_form_host_RECOVERY.txt"),
    ));
    let as_json = serde_json::to_vec(&json!({
        "notification_type": "PROBLEM", "host_name": "db1", "service_description": "disk", "service_state": "CRITICAL", "output": "92% used"
    }))
    .unwrap();
    accepted(&post(
        &app,
        "/api/v1/alarms/nagios",
        Some(&nagios),
        "application/json",
        as_json,
    ));

    let zabbix = integration(&app, "zabbix");
    let raised = accepted(&post(
        &app,
        "/api/v1/alarms/zabbix",
        Some(&zabbix),
        "application/json",
        payload("zabbix/01_problem_high_zulip_template.json"),
    ));
    assert_eq!(raised["events"], 1);
    let ok = accepted(&post(
        &app,
        "/api/v1/alarms/zabbix",
        Some(&zabbix),
        "application/json",
        payload("zabbix/02_ok_recovery_zulip_template.json"),
    ));
    assert_eq!(ok["events"], 1, "the recovery pairs with its problem");

    let generic = integration(&app, "generic");
    let body = serde_json::to_vec(&json!([
        {"severity": "error", "summary": "backup failed", "host": "nas1", "fingerprint": "backup-nas1"},
        {"severity": "warning", "summary": "cert expires in 10 days", "host": "www"}
    ]))
    .unwrap();
    assert_eq!(
        accepted(&post(
            &app,
            "/api/v1/alarms",
            Some(&generic),
            "application/json",
            body
        ))["alarms"],
        2
    );
}

#[test]
fn pagerduty_events_are_answered_as_pagerduty_does() {
    let app = spawn_app();
    let key = integration(&app, "pagerduty");
    let with_key = |name: &str| {
        let mut event: Value = serde_json::from_slice(&payload(name)).unwrap();
        event["routing_key"] = json!(key);
        serde_json::to_vec(&event).unwrap()
    };
    let triggered = post(
        &app,
        "/v2/enqueue",
        None,
        "application/json",
        with_key("pagerduty/01_trigger_full_docs.json"),
    );
    assert_eq!(triggered.status, 202, "{}", triggered.body);
    assert_eq!(
        triggered.json(),
        json!({"status": "success", "message": "Event processed", "dedup_key": "samplekeyhere"})
    );
    let mut resolve: Value =
        serde_json::from_slice(&payload("pagerduty/04_resolve_docs.json")).unwrap();
    resolve["routing_key"] = json!(key);
    resolve["dedup_key"] = json!("samplekeyhere");
    let head = app.log_head();
    let resolved = post(
        &app,
        "/api/v1/alarms/pagerduty",
        None,
        "application/json",
        serde_json::to_vec(&resolve).unwrap(),
    );
    assert_eq!(resolved.status, 202, "{}", resolved.body);
    assert!(app.log_head() > head, "the resolve is in the log");

    let mut no_key: Value =
        serde_json::from_slice(&payload("pagerduty/02_trigger_api_schema_example.json")).unwrap();
    no_key["routing_key"] = json!(key);
    no_key.as_object_mut().unwrap().remove("dedup_key");
    let generated = post(
        &app,
        "/v2/enqueue",
        None,
        "application/json",
        serde_json::to_vec(&no_key).unwrap(),
    )
    .json();
    assert_eq!(
        generated["dedup_key"].as_str().unwrap().len(),
        32,
        "a trigger without a key gets one"
    );

    let unknown = post(
        &app,
        "/v2/enqueue",
        None,
        "application/json",
        payload("pagerduty/01_trigger_full_docs.json"),
    );
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["status"], "invalid event");
    let mut bad_severity: Value =
        serde_json::from_slice(&payload("pagerduty/01_trigger_full_docs.json")).unwrap();
    bad_severity["routing_key"] = json!(key);
    bad_severity["payload"]["severity"] = json!("apocalyptic");
    let refused = post(
        &app,
        "/v2/enqueue",
        None,
        "application/json",
        serde_json::to_vec(&bad_severity).unwrap(),
    );
    assert_eq!(refused.status, 400);
    assert!(
        refused.json()["errors"][0]
            .as_str()
            .unwrap()
            .contains("severity"),
        "{}",
        refused.body
    );
}

#[test]
fn bad_keys_and_bad_payloads_are_refused_and_write_nothing() {
    let app = spawn_app();
    let key = integration(&app, "alertmanager");
    let head = app.log_head();
    let path = "/api/v1/alarms/alertmanager";
    let body = payload("alertmanager/01_firing_two_alerts_zulip.json");
    post(&app, path, None, "application/json", body.clone()).problem(401);
    post(
        &app,
        path,
        Some("0123456789abcdef0123456789abcdef"),
        "application/json",
        body.clone(),
    )
    .problem(401);
    post(
        &app,
        path,
        Some(&app.token),
        "application/json",
        body.clone(),
    )
    .problem(401);
    post(&app, path, Some(&key), "text/plain", body.clone()).problem(415);
    post(
        &app,
        path,
        Some(&key),
        "application/json",
        body[..body.len() / 2].to_vec(),
    )
    .problem(400);
    let no_alerts = serde_json::to_vec(&json!({"version": "4", "status": "firing"})).unwrap();
    assert_eq!(
        post(&app, path, Some(&key), "application/json", no_alerts).problem(422)["errors"][0]
            ["field"],
        "alerts"
    );
    let generic = serde_json::to_vec(&json!({"severity": "fatal-ish", "summary": "x"})).unwrap();
    let problem = post(
        &app,
        "/api/v1/alarms",
        Some(&key),
        "application/json",
        generic,
    )
    .problem(422);
    assert!(
        problem["detail"].as_str().unwrap().contains("severity"),
        "{problem}"
    );
    let huge = vec![b' '; 2 << 20];
    post(&app, path, Some(&key), "application/json", huge).problem(413);
    assert_eq!(app.log_head(), head, "nothing refused was written");

    // a revoked key stops working at once
    let admin = app.issue_token(&["admin"], "ada", "1h");
    let listed = app.get_as("/api/v1/integrations", Some(&admin)).json();
    let id = listed[0]["id"].as_str().unwrap();
    assert_eq!(
        app.request(
            "DELETE",
            &format!("/api/v1/integrations/{id}"),
            Some(&admin),
            &[],
            None
        )
        .status,
        200
    );
    post(&app, path, Some(&key), "application/json", body).problem(401);
}

/// pd-nagios (and older Zabbix and Checkmk scripts) post Events API v1 to PagerDuty's v1 path:
/// the same path here, answered as PagerDuty's v1 answers.
#[test]
fn pagerduty_v1_events_at_pagerdutys_v1_path_open_and_resolve_incidents() {
    let app = spawn_app();
    let key = app.register_integration(&json!({
        "name": "nagios via pd-nagios", "kind": "pagerduty", "defaults": {"customer": "acme"}
    }));
    let path = "/generic/2010-04-15/create_event.json";
    let deliver = |name: &str| {
        let mut event: Value = serde_json::from_slice(&payload(name)).unwrap();
        event["service_key"] = json!(key);
        let reply = post(
            &app,
            path,
            None,
            "application/json",
            serde_json::to_vec(&event).unwrap(),
        );
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"status": "success", "message": "Event processed", "incident_key": event["incident_key"]}),
            "{name}"
        );
        event["incident_key"].as_str().unwrap().to_owned()
    };
    let incident_of = |fingerprint: &str, status: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let items = app.get("/api/v1/incidents?customer=acme").json()["items"].clone();
            let found = items.as_array().unwrap().iter().find(|i| {
                i["monitoring"]["alarms"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["fingerprint"] == fingerprint)
            });
            if let Some(incident) = found.filter(|i| i["status"] == status) {
                return incident.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {status} incident for {fingerprint}: {items:#}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };

    let service = deliver("nagios_icinga/01_pd-nagios_service_PROBLEM_to_trigger.json");
    let opened = incident_of(&service, "new");
    assert_eq!(
        opened["priority"], "P1",
        "SERVICESTATE critical: {opened:#}"
    );
    assert_eq!(opened["configuration_item"], "service.test.local");
    let alarms = app.get("/api/v1/alarms?host=service.test.local").json();
    assert_eq!(alarms["items"][0]["fingerprint"], service.as_str());
    assert_eq!(alarms["items"][0]["status"], "firing");
    assert_eq!(
        deliver("nagios_icinga/02_pd-nagios_service_RECOVERY_to_resolve.json"),
        service
    );
    assert_eq!(incident_of(&service, "resolved")["id"], opened["id"]);

    let host = deliver("nagios_icinga/03_pd-nagios_host_PROBLEM_to_trigger.json");
    let host_incident = incident_of(&host, "new");
    assert_ne!(host_incident["id"], opened["id"]);
    deliver("nagios_icinga/04_pd-nagios_host_RECOVERY_to_resolve.json");
    incident_of(&host, "resolved");

    // an unknown key is refused as PagerDuty refuses it: 400, not retried
    let unknown = post(
        &app,
        path,
        None,
        "application/json",
        payload("nagios_icinga/01_pd-nagios_service_PROBLEM_to_trigger.json"),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.json()["status"], "invalid event");
}
