//! From alarm to incident: the reactor opens, counts, resolves and reopens incidents as the
//! alarm rules say, over HTTP against the real binary.

use crate::support::{spawn_app, TestApp};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn payload(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/payloads")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn alertmanager_key(app: &TestApp) -> String {
    app.register_integration(&json!({
        "name": "prometheus", "kind": "alertmanager",
        "defaults": {"customer": "acme", "assignment_group": "ops"}
    }))
}

fn deliver(app: &TestApp, key: &str, name: &str) {
    let reply = app.request(
        "POST",
        "/api/v1/alarms/alertmanager",
        Some(key),
        &[],
        Some(("application/json", payload(name))),
    );
    assert_eq!(reply.status, 202, "{}", reply.body);
}

fn incidents(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/incidents?customer=acme").json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// The reactor works from the log, after the webhook answered: wait (bounded) for it.
fn eventually(app: &TestApp, what: &str, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = incidents(app);
        if check(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: {now:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_critical_alarm_opens_an_incident_recovery_resolves_it_and_a_refire_reopens_it() {
    let app = spawn_app();
    let key = alertmanager_key(&app);
    deliver(
        &app,
        &key,
        "alertmanager/02_firing_single_endsAt_in_future.json",
    );
    let opened = eventually(&app, "an incident for the critical alarm", |i| i.len() == 1);
    let incident = &opened[0];
    assert_eq!(incident["priority"], "P1");
    assert_eq!(
        incident["status"], "assigned",
        "the integration's default group assigns it"
    );
    assert_eq!(incident["assignment_group"], "ops");
    assert_eq!(incident["category"], "monitoring");
    assert_eq!(incident["title"], "Something is on fire");
    assert_eq!(incident["monitoring"]["opened_by_monitoring"], true);
    assert_eq!(
        incident["monitoring"]["alarms"][0]["fingerprint"],
        "88cbf0084cf27726"
    );
    let id = incident["id"].as_str().unwrap().to_owned();

    // repeats are counted on the alarm, not opened again
    deliver(
        &app,
        &key,
        "alertmanager/02_firing_single_endsAt_in_future.json",
    );
    deliver(
        &app,
        &key,
        "alertmanager/02_firing_single_endsAt_in_future.json",
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(incidents(&app).len(), 1);

    // the alarm shows its occurrences and the incident it feeds
    let deadline = Instant::now() + Duration::from_secs(10);
    let alarm = loop {
        let reply = app.get("/api/v1/alarms/88cbf0084cf27726");
        if reply.status == 200 && reply.json()["items"][0]["occurrences"] == 3 {
            break reply.json()["items"][0].clone();
        }
        assert!(Instant::now() < deadline, "{}", reply.body);
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(alarm["status"], "firing");
    assert_eq!(alarm["incident"], id.as_str());
    // ... and the incident shows them on its alarm, as of now
    let shown = app.get(&format!("/api/v1/incidents/{id}")).json();
    assert_eq!(
        shown["monitoring"]["alarms"][0]["occurrences"], 3,
        "{shown}"
    );
    assert_eq!(
        shown["monitoring"]["alarms"][0]["last_seen"], alarm["last_seen"],
        "{shown} {alarm}"
    );
    assert_eq!(alarm["severity"], "critical");
    let firing = app.get("/api/v1/alarms?status=firing").json();
    assert_eq!(firing["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/alarms?status=burning").problem(400);
    app.get("/api/v1/alarms/no-such-fingerprint").problem(404);

    // recovery resolves what monitoring opened and nobody touched
    deliver(
        &app,
        &key,
        "alertmanager/03_resolved_single_same_group.json",
    );
    let resolved = eventually(&app, "resolved as recovered", |i| {
        i[0]["status"] == "resolved"
    });
    assert_eq!(resolved[0]["resolution"]["code"], "recovered");

    // firing again within the reopen window reopens the same incident
    deliver(
        &app,
        &key,
        "alertmanager/02_firing_single_endsAt_in_future.json",
    );
    let reopened = eventually(&app, "reopened", |i| i[0]["status"] != "resolved");
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened[0]["id"], id.as_str());
    assert_eq!(reopened[0]["reopen_count"], 1);

    // once a person worked on it, a recovery is only noted
    let comment = app.post(
        &format!("/api/v1/incidents/{id}/comments"),
        &json!({"body": "looking at the fire"}),
    );
    assert_eq!(comment.status, 201);
    deliver(
        &app,
        &key,
        "alertmanager/03_resolved_single_same_group.json",
    );
    let noted = eventually(&app, "alarm cleared on the incident", |i| {
        i[0]["monitoring"]["alarms"][0]["cleared"] == true
    });
    assert_ne!(
        noted[0]["status"], "resolved",
        "a touched incident stays with its people"
    );
}

#[test]
fn warnings_and_info_open_nothing_at_once() {
    let app = spawn_app();
    let key = alertmanager_key(&app);
    // 04 is a resolved Warning: never firing here, so nothing at all
    deliver(
        &app,
        &key,
        "alertmanager/04_resolved_full_v4_truncatedAlerts_fingerprint.json",
    );
    let warning = serde_json::to_vec(&json!({
        "version": "4", "status": "firing", "receiver": "servicedesk",
        "alerts": [{"status": "firing", "labels": {"alertname": "DiskFilling", "severity": "warning", "instance": "db1:9100"},
                    "annotations": {"summary": "disk 85% full"}, "startsAt": "2026-11-21T10:00:00Z"}]
    }))
    .unwrap();
    let reply = app.request(
        "POST",
        "/api/v1/alarms/alertmanager",
        Some(&key),
        &[],
        Some(("application/json", warning)),
    );
    assert_eq!(reply.status, 202);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        incidents(&app).is_empty(),
        "a warning waits out its grace time"
    );
}
