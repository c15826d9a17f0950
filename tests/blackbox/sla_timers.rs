//! An incident under a contract shows its SLA timers, on the contract's calendar, as the
//! (manual) clock moves: respond and resolve due times across a weekend, a late response,
//! pending pausing the resolve clock.

use crate::support::{spawn_app_with, TestApp};
use serde_json::{json, Value};

fn as_role(app: &TestApp, role: &str, method: &str, path: &str, body: &Value) -> Value {
    let token = app.issue_token(&[role], "mona", "1h");
    let reply = app.request(
        method,
        path,
        Some(&token),
        &[],
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    );
    assert!(
        reply.status < 300,
        "{method} {path}: {} {}",
        reply.status,
        reply.body
    );
    reply.json()
}

fn advance(app: &TestApp, seconds: i64) {
    as_role(
        app,
        "admin",
        "POST",
        "/api/v1/admin/clock",
        &json!({"advance_seconds": seconds}),
    );
}

fn timer<'a>(incident: &'a Value, target: &str) -> &'a Value {
    incident["sla_timers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == target)
        .unwrap_or_else(|| panic!("no {target} timer in {incident}"))
}

#[test]
fn timers_run_on_the_contracts_calendar_and_pause_while_pending() {
    // Friday 4 December 2026, 17:30 in Berlin
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-12-04T16:30:00Z")]);
    let day = json!([["09:00", "18:00"]]);
    let calendar = as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/calendars",
        &json!({
            "name": "Berlin office", "time_zone": "Europe/Berlin",
            "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}
        }),
    );
    let sla = as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/slas",
        &json!({"name": "Gold", "targets": [
            {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 14400}
        ]}),
    );
    as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/contracts",
        &json!({
            "name": "default", "sla": sla["id"], "calendar": calendar["id"]
        }),
    );

    let opened = app.open_incident(
        json!({"title": "VPN down", "customer": "acme", "impact": "high", "urgency": "high"}),
    );
    assert_eq!(opened["priority"], "P1");
    assert_eq!(opened["sla"]["applied"]["sla"], sla["id"]);
    let respond = timer(&opened, "respond");
    assert_eq!(respond["state"], "running");
    assert_eq!(
        respond["due_at"], "2026-12-04T17:00:00Z",
        "30 business minutes: Friday 18:00"
    );
    let resolve = timer(&opened, "resolve");
    assert_eq!(
        resolve["due_at"], "2026-12-07T11:30:00Z",
        "the rest on Monday: 12:30 Berlin"
    );
    let id = opened["id"].as_str().unwrap().to_owned();

    // Monday 10:30 in Berlin: nobody answered; 30 min Friday + 90 min Monday have run
    advance(&app, 2 * 86_400 + 17 * 3600);
    let now = app.get(&format!("/api/v1/incidents/{id}")).json();
    assert_eq!(timer(&now, "respond")["state"], "breached");
    assert_eq!(timer(&now, "resolve")["elapsed_seconds"], 7200);
    assert_eq!(timer(&now, "resolve")["state"], "running");

    // the response comes late: it stays a breach; waiting on the customer pauses resolve
    let assigned = app.post(
        &format!("/api/v1/incidents/{id}/assign"),
        &json!({"assignee": "bob"}),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(timer(&assigned.json(), "respond")["state"], "breached");
    let pended = app.post(
        &format!("/api/v1/incidents/{id}/transitions"),
        &json!({"status": "pending", "pending_reason": "awaiting_customer"}),
    );
    assert_eq!(pended.status, 200, "{}", pended.body);
    advance(&app, 86_400);
    let paused = app.get(&format!("/api/v1/incidents/{id}")).json();
    let resolve = timer(&paused, "resolve");
    assert_eq!(
        (resolve["state"].as_str(), resolve["paused"].as_bool()),
        (Some("paused"), Some(true))
    );
    assert_eq!(
        resolve["elapsed_seconds"], 7200,
        "a day pending added nothing"
    );
    assert_eq!(resolve["due_at"], Value::Null);
}

#[test]
fn without_a_contract_an_incident_has_no_timers() {
    let app = crate::support::spawn_app();
    let opened = app.open_incident(json!({"title": "no contract"}));
    assert_eq!(opened["sla_timers"], json!([]));
    let id = opened["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}")).json()["sla_timers"],
        json!([])
    );
}

#[test]
fn incidents_monitoring_opens_run_on_the_contracts_sla_too() {
    let app = crate::support::spawn_app();
    let targets: Vec<Value> = ["P1", "P2", "P3", "P4", "P5"]
        .iter()
        .map(|p| json!({"ticket_type": "incident", "priority": p, "respond_seconds": 900, "resolve_seconds": 7200}))
        .collect();
    let sla = as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/slas",
        &json!({"name": "24x7", "targets": targets}),
    );
    as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/customers",
        &json!({"slug": "acme", "name": "ACME Corp"}),
    );
    as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/contracts",
        &json!({"name": "acme", "customer": "acme", "sla": sla["id"]}),
    );
    let key = app.register_integration(
        &json!({"name": "fleet", "kind": "generic", "defaults": {"customer": "acme"}}),
    );
    let alarm = json!([{"fingerprint": "db1-down", "severity": "critical", "summary": "db1 down", "host": "db1"}]);
    let sent = app.request(
        "POST",
        "/api/v1/alarms",
        Some(&key),
        &[],
        Some(("application/json", serde_json::to_vec(&alarm).unwrap())),
    );
    assert_eq!(sent.status, 202, "{}", sent.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let incident = loop {
        let listed = app.get("/api/v1/incidents?customer=acme").json();
        if let Some(first) = listed["items"].as_array().and_then(|i| i.first()) {
            let id = first["id"].as_str().unwrap().to_owned();
            let incident = app.get(&format!("/api/v1/incidents/{id}")).json();
            if !incident["sla_timers"].as_array().unwrap().is_empty() {
                break incident;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no incident with timers in time"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let respond = timer(&incident, "respond");
    assert_eq!(respond["target_seconds"], 900);
    let opened_at =
        chrono::DateTime::parse_from_rfc3339(incident["opened_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(respond["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        (due - opened_at).num_seconds(),
        900,
        "around the clock without a calendar"
    );
}
