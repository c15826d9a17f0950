//! The SLA scheduler on the real binary, driven by the manual clock: each threshold of a
//! ticket (warning, breach, escalation level) appears in its history once, with the instant it
//! fell due; lists filter by timer state and sort by due time; breaches that fell due while the
//! server was down appear once after the restart; two servers on one PostgreSQL log fire each
//! threshold once, and the survivor of a kill -9 takes over.

use crate::support::{
    fresh_postgres_database, spawn_app_with, spawn_instance, start_with, TestApp,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const MONDAY_9: &str = "manual:2026-12-07T09:00:00Z";

fn as_manager(app: &TestApp, path: &str, body: &Value) -> Value {
    let token = app.issue_token(&["manager"], "mona", "1h");
    let reply = app.request(
        "POST",
        path,
        Some(&token),
        &[],
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    );
    assert!(
        reply.status < 300,
        "{path}: {} {}",
        reply.status,
        reply.body
    );
    reply.json()
}

/// Around the clock: P1 answered within 30 minutes, resolved within 2 hours; at 150% of the
/// resolve target the ticket goes to second level and the duty manager is to be told.
fn gold_contract(app: &TestApp) {
    let sla = as_manager(
        app,
        "/api/v1/slas",
        &json!({"name": "Gold", "targets": [
            {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 7200}
        ], "escalations": [
            {"name": "second level", "timer": "resolve", "at_percent": 150,
             "reassign_group": "second-level", "notify": ["duty-manager"]}
        ]}),
    );
    as_manager(
        app,
        "/api/v1/contracts",
        &json!({"name": "default", "sla": sla["id"]}),
    );
}

fn advance(app: &TestApp, seconds: i64) {
    let token = app.issue_token(&["admin"], "root", "1h");
    let reply = app.request(
        "POST",
        "/api/v1/admin/clock",
        Some(&token),
        &[],
        Some((
            "application/json",
            serde_json::to_vec(&json!({"advance_seconds": seconds})).unwrap(),
        )),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn open_p1(app: &TestApp, title: &str) -> String {
    let opened = app.open_incident(json!({"title": title, "impact": "high", "urgency": "high"}));
    assert_eq!(opened["priority"], "P1");
    opened["id"].as_str().unwrap().to_owned()
}

fn history(app: &TestApp, id: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/incidents/{id}/history"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json().as_array().unwrap().clone()
}

/// The threshold events of the ticket: (type, timer, due_at).
fn thresholds(app: &TestApp, id: &str) -> Vec<(String, String, String)> {
    history(app, id)
        .into_iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("Sla"))
        .map(|e| {
            let data = &e["data"];
            let reached = if data["reached"].is_object() {
                &data["reached"]
            } else {
                data
            };
            (
                e["type"].as_str().unwrap().to_owned(),
                reached["timer"].as_str().unwrap().to_owned(),
                reached["due_at"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn t(kind: &str, timer: &str, due: &str) -> (String, String, String) {
    (kind.to_owned(), timer.to_owned(), due.to_owned())
}

/// Waits (real time, bounded) until the ticket has recorded `count` threshold events.
fn wait_for_thresholds(app: &TestApp, id: &str, count: usize) -> Vec<(String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = thresholds(app, id);
        if found.len() >= count || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let reply = app.get(&format!("/api/v1/incidents?{query}"));
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    reply.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_threshold_is_recorded_once_as_the_clock_passes_it() {
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", MONDAY_9)]);
    gold_contract(&app);
    let a = open_p1(&app, "Shop down");
    advance(&app, 600);
    let b = open_p1(&app, "Mail slow");
    assert_eq!(listed(&app, "sort=sla_due_at"), vec![a.clone(), b.clone()]);
    assert_eq!(listed(&app, "sort=-sla_due_at"), vec![b.clone(), a.clone()]);
    assert!(thresholds(&app, &a).is_empty());

    // 09:23: 75% of a's 30 minutes to respond have run (09:22:30)
    advance(&app, 13 * 60);
    assert_eq!(
        wait_for_thresholds(&app, &a, 1),
        vec![t("SlaWarningReached", "respond", "2026-12-07T09:22:30Z")]
    );
    assert_eq!(listed(&app, "sla_state=warning"), vec![a.clone()]);
    assert_eq!(listed(&app, "sla_state=running"), vec![b.clone()]);
    assert!(listed(&app, "sla_state=breached").is_empty());

    // 09:31: a's response is late
    advance(&app, 8 * 60);
    assert_eq!(
        wait_for_thresholds(&app, &a, 2)[1],
        t("SlaBreached", "respond", "2026-12-07T09:30:00Z")
    );
    assert_eq!(listed(&app, "sla_state=breached"), vec![a.clone()]);

    // 12:01: resolve warned (10:30), breached (11:00) and escalated (12:00), in that order
    advance(&app, 2 * 3600 + 30 * 60);
    let recorded = wait_for_thresholds(&app, &a, 5);
    assert_eq!(
        recorded,
        vec![
            t("SlaWarningReached", "respond", "2026-12-07T09:22:30Z"),
            t("SlaBreached", "respond", "2026-12-07T09:30:00Z"),
            t("SlaWarningReached", "resolve", "2026-12-07T10:30:00Z"),
            t("SlaBreached", "resolve", "2026-12-07T11:00:00Z"),
            t("SlaEscalated", "resolve", "2026-12-07T12:00:00Z"),
        ]
    );
    let escalated = history(&app, &a)
        .into_iter()
        .find(|e| e["type"] == "SlaEscalated")
        .unwrap();
    assert_eq!(escalated["data"]["notify"], json!(["duty-manager"]));
    assert_eq!(escalated["actor"]["id"], "sla-scheduler");
    let incident = app.get(&format!("/api/v1/incidents/{a}")).json();
    assert_eq!(incident["assignment_group"], "second-level");
    let resolve = incident["sla_timers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == "resolve")
        .unwrap()
        .clone();
    assert_eq!(resolve["state"], "breached");

    // time goes on: nothing fires twice; b's thresholds fire on their own
    advance(&app, 3600);
    assert_eq!(wait_for_thresholds(&app, &b, 5).len(), 5);
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(thresholds(&app, &a), recorded);

    // a resolved ticket owes nothing more
    let fixed = app.post(
        &format!("/api/v1/incidents/{b}/transitions"),
        &json!({"status": "resolved", "resolution_code": "permanent_fix", "note": "restarted"}),
    );
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert!(listed(&app, "sla_state=running").is_empty());
    assert_eq!(listed(&app, "sla_state=breached").len(), 2);
    assert_eq!(
        listed(&app, "sort=sla_due_at"),
        vec![a.clone(), b.clone()],
        "a resolved ticket has nothing due: last"
    );
}

#[test]
fn breaches_that_fell_due_while_the_server_was_down_are_recorded_once_after_the_restart() {
    let mut app = spawn_app_with(&[("SERVICEDESK_CLOCK", MONDAY_9)]);
    gold_contract(&app);
    let id = open_p1(&app, "Database down");
    app.kill_hard();

    // back three hours later: every threshold up to 12:00 fell due meanwhile
    let dir = app.dir.clone();
    let app = start_with(
        &dir,
        &[("SERVICEDESK_CLOCK", "manual:2026-12-07T12:05:00Z")],
    );
    let recorded = wait_for_thresholds(&app, &id, 5);
    assert_eq!(
        recorded,
        vec![
            t("SlaWarningReached", "respond", "2026-12-07T09:22:30Z"),
            t("SlaBreached", "respond", "2026-12-07T09:30:00Z"),
            t("SlaWarningReached", "resolve", "2026-12-07T10:30:00Z"),
            t("SlaBreached", "resolve", "2026-12-07T11:00:00Z"),
            t("SlaEscalated", "resolve", "2026-12-07T12:00:00Z"),
        ]
    );
    // recorded when the scheduler caught up, not when they fell due
    let breach = history(&app, &id)
        .into_iter()
        .find(|e| e["type"] == "SlaBreached")
        .unwrap();
    assert_eq!(breach["occurred_at"], "2026-12-07T12:05:00Z");

    // and a second restart records none of them again
    let mut app = app;
    app.stop();
    let app = start_with(
        &dir,
        &[("SERVICEDESK_CLOCK", "manual:2026-12-07T12:06:00Z")],
    );
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(thresholds(&app, &id), recorded);
}

#[test]
fn two_servers_on_one_postgres_log_record_each_threshold_once() {
    let url = match fresh_postgres_database() {
        Ok(url) => url,
        Err(reason) => {
            eprintln!("DID NOT RUN: {reason}");
            return;
        }
    };
    let clock = [("SERVICEDESK_CLOCK", MONDAY_9)];
    // a starts first and takes the scheduler's lease; b waits for it
    let mut a = spawn_instance(&url, &clock);
    let b = spawn_instance(&url, &clock);
    gold_contract(&a);
    // contracts must be in both read models before b opens tickets under them
    let deadline = Instant::now() + Duration::from_secs(10);
    while b
        .get("/api/v1/contracts")
        .json()
        .as_array()
        .map_or(0, |i| i.len())
        == 0
    {
        assert!(Instant::now() < deadline, "b never saw the contract");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ids: Vec<String> = (0..10)
        .map(|i| open_p1(if i % 2 == 0 { &a } else { &b }, &format!("outage {i}")))
        .collect();

    // 09:31 on both clocks: every ticket's response is late
    advance(&a, 31 * 60);
    advance(&b, 31 * 60);
    for id in &ids {
        let found = wait_for_thresholds(&a, id, 2);
        assert_eq!(
            found,
            vec![
                t("SlaWarningReached", "respond", "2026-12-07T09:22:30Z"),
                t("SlaBreached", "respond", "2026-12-07T09:30:00Z"),
            ],
            "{id}"
        );
    }

    // the leader dies; the other's scheduler takes over and goes on
    a.kill_hard();
    advance(&b, 90 * 60);
    for id in &ids {
        let found = wait_for_thresholds(&b, id, 4);
        assert_eq!(found.len(), 4, "{id}: {found:?}");
        assert_eq!(
            found[3],
            t("SlaBreached", "resolve", "2026-12-07T11:00:00Z")
        );
    }
    std::thread::sleep(Duration::from_millis(600));
    for id in &ids {
        assert_eq!(thresholds(&b, id).len(), 4, "{id} fired something twice");
    }
}
