//! Alarm rules that depend on time, tested by moving the server's manual clock instead of
//! sleeping: warning grace, the reopen window.

use crate::support::{spawn_app_with, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const START: &str = "2026-11-23T02:00:00Z";

fn app() -> TestApp {
    spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-11-23T02:00:00Z")])
}

fn admin(app: &TestApp) -> String {
    app.issue_token(&["admin"], "ada", "1h")
}

fn key(app: &TestApp) -> String {
    app.register_integration(
        &json!({"name": "checks", "kind": "generic", "defaults": {"customer": "night-shift"}}),
    )
}

fn send(app: &TestApp, key: &str, alarm: Value) {
    let reply = app.request(
        "POST",
        "/api/v1/alarms",
        Some(key),
        &[],
        Some(("application/json", serde_json::to_vec(&alarm).unwrap())),
    );
    assert_eq!(reply.status, 202, "{}", reply.body);
}

fn advance(app: &TestApp, seconds: i64) {
    let body = serde_json::to_vec(&json!({"advance_seconds": seconds})).unwrap();
    let reply = app.request(
        "POST",
        "/api/v1/admin/clock",
        Some(&admin(app)),
        &[],
        Some(("application/json", body)),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn incidents(app: &TestApp) -> Vec<Value> {
    app.get("/api/v1/incidents?customer=night-shift").json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn settle(app: &TestApp) {
    // the reactor works from the log; give it a moment of real time (not of the manual clock)
    let head = app.log_head();
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get_as("/readyz", None).json()["projection_position"]
        .as_u64()
        .unwrap()
        < head
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
}

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

fn warning(fingerprint: &str, status: &str) -> Value {
    json!({"fingerprint": fingerprint, "severity": "warning", "status": status, "summary": "disk 85% full", "host": "db1"})
}

#[test]
fn a_warning_opens_an_incident_only_after_its_grace_time() {
    let app = app();
    let key = key(&app);
    send(&app, &key, warning("disk-db1", "firing"));
    settle(&app);
    assert!(incidents(&app).is_empty());
    advance(&app, 14 * 60);
    settle(&app);
    assert!(
        incidents(&app).is_empty(),
        "still within the 15 minutes of grace"
    );
    advance(&app, 61);
    let opened = eventually(&app, "the lasting warning opens an incident", |i| {
        i.len() == 1
    });
    assert_eq!(opened[0]["priority"], "P3");
    assert_eq!(opened[0]["opened_at"], "2026-11-23T02:15:01Z");

    // a warning that clears within its grace opens nothing, even after the grace has passed
    send(&app, &key, warning("cpu-db1", "firing"));
    advance(&app, 5 * 60);
    send(&app, &key, warning("cpu-db1", "resolved"));
    advance(&app, 20 * 60);
    settle(&app);
    assert_eq!(incidents(&app).len(), 1);
}

fn critical(fingerprint: &str, status: &str) -> Value {
    json!({"fingerprint": fingerprint, "severity": "critical", "status": status, "summary": format!("{fingerprint} down"), "host": fingerprint})
}

#[test]
fn a_refire_reopens_within_the_window_and_opens_anew_after_it() {
    let app = app();
    let key = key(&app);
    send(&app, &key, critical("web1", "firing"));
    eventually(&app, "opened", |i| i.len() == 1);
    send(&app, &key, critical("web1", "resolved"));
    eventually(&app, "recovered", |i| i[0]["status"] == "resolved");
    advance(&app, 30 * 60);
    send(&app, &key, critical("web1", "firing"));
    let reopened = eventually(&app, "reopened within the hour", |i| {
        i[0]["status"] != "resolved"
    });
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened[0]["reopen_count"], 1);

    send(&app, &key, critical("web2", "firing"));
    eventually(&app, "web2 opened", |i| i.len() == 2);
    send(&app, &key, critical("web2", "resolved"));
    eventually(&app, "web2 recovered", |i| {
        i.iter()
            .any(|x| x["configuration_item"] == "web2" && x["status"] == "resolved")
    });
    advance(&app, 2 * 60 * 60);
    send(&app, &key, critical("web2", "firing"));
    let three = eventually(&app, "a new incident for web2 after the window", |i| {
        i.len() == 3
    });
    let web2: Vec<_> = three
        .iter()
        .filter(|x| x["configuration_item"] == "web2")
        .collect();
    assert_eq!(web2.len(), 2);
    assert!(
        web2.iter().any(|i| i["status"] == "resolved") && web2.iter().any(|i| i["status"] == "new")
    );
}

#[test]
fn a_flapping_alarm_opens_nothing_new() {
    let app = app();
    let key = key(&app);
    send(&app, &key, critical("lb1", "firing"));
    eventually(&app, "opened", |i| i.len() == 1);
    // up, down, up, down: by Nagios's weighted state change (over 20 %) that is flapping
    for status in ["resolved", "firing", "resolved", "firing"] {
        advance(&app, 2 * 60 * 60);
        send(&app, &key, critical("lb1", status));
    }
    settle(&app);
    let alarm = app.get("/api/v1/alarms?host=lb1").json()["items"][0].clone();
    assert_eq!(alarm["flapping"], true, "{alarm}");
    let incidents = incidents(&app);
    assert!(
        incidents.len() <= 2,
        "flapping stops new incidents: {incidents:#?}"
    );
}

#[test]
fn the_clock_moves_only_on_a_manual_server() {
    let app = crate::support::spawn_app();
    let body = serde_json::to_vec(&json!({"advance_seconds": 60})).unwrap();
    app.request(
        "POST",
        "/api/v1/admin/clock",
        Some(&admin(&app)),
        &[],
        Some(("application/json", body)),
    )
    .problem(404);
    let manual = self::app();
    let body = serde_json::to_vec(&json!({"advance_seconds": -5})).unwrap();
    manual
        .request(
            "POST",
            "/api/v1/admin/clock",
            Some(&admin(&manual)),
            &[],
            Some(("application/json", body)),
        )
        .problem(422);
    let _ = START;
}

#[test]
fn alarms_of_one_host_in_a_storm_join_one_incident() {
    let app = app();
    let key = key(&app);
    let on_db1 = |fingerprint: &str, status: &str| json!({"fingerprint": fingerprint, "severity": "error", "status": status, "summary": format!("{fingerprint} failing"), "host": "db1"});
    send(&app, &key, on_db1("db1-disk", "firing"));
    eventually(&app, "the first alarm opens", |i| i.len() == 1);
    advance(&app, 60);
    send(&app, &key, on_db1("db1-replication", "firing"));
    send(&app, &key, on_db1("db1-backup", "firing"));
    let joined = eventually(&app, "the others join it", |i| {
        i.len() == 1 && i[0]["monitoring"]["alarms"].as_array().unwrap().len() == 3
    });
    let id = joined[0]["id"].as_str().unwrap().to_owned();

    // one alarm recovering does not resolve the storm's incident; all of them do
    send(&app, &key, on_db1("db1-disk", "resolved"));
    send(&app, &key, on_db1("db1-replication", "resolved"));
    settle(&app);
    assert_ne!(incidents(&app)[0]["status"], "resolved");
    send(&app, &key, on_db1("db1-backup", "resolved"));
    eventually(&app, "resolved once every alarm cleared", |i| {
        i[0]["status"] == "resolved"
    });

    // past the storm window, the same host gets an incident of its own
    advance(&app, 3 * 60 * 60);
    send(&app, &key, on_db1("db1-cpu", "firing"));
    let two = eventually(&app, "a new incident after the storm", |i| i.len() == 2);
    assert!(two
        .iter()
        .any(|i| i["id"] != id.as_str() && i["status"] == "new"));
}

#[test]
fn the_third_incident_of_an_alarm_within_a_week_opens_a_problem() {
    let app = app();
    // flapping thresholds out of the way: this test is about recurrence
    let key = app.register_integration(&json!({
        "name": "checks", "kind": "generic", "defaults": {"customer": "night-shift"},
        "rules": {"flap_high_percent": 90, "flap_low_percent": 50}
    }));
    for round in 1..=3 {
        send(&app, &key, critical("mail1", "firing"));
        eventually(&app, "an incident per firing", |i| i.len() == round);
        send(&app, &key, critical("mail1", "resolved"));
        eventually(&app, "recovered", |i| {
            i.iter().all(|x| x["status"] == "resolved")
        });
        advance(&app, 24 * 60 * 60);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let problems = loop {
        let problems = app.get("/api/v1/problems").json();
        if problems
            .as_array()
            .is_some_and(|p| p.len() == 1 && p[0]["incidents"].as_array().unwrap().len() == 3)
        {
            break problems;
        }
        assert!(Instant::now() < deadline, "{problems}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let problem = &problems[0];
    assert_eq!(problem["status"], "new");
    assert_eq!(problem["recurrence_key"], "mail1");
    assert!(problem["title"]
        .as_str()
        .unwrap()
        .starts_with("Recurring: mail1 down"));
    let incident_ids: Vec<String> = incidents(&app)
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    for linked in problem["incidents"].as_array().unwrap() {
        assert!(incident_ids.contains(&linked.as_str().unwrap().to_owned()));
    }

    // the fourth joins the same problem on arrival
    send(&app, &key, critical("mail1", "firing"));
    eventually(&app, "a fourth incident", |i| i.len() == 4);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.get("/api/v1/problems").json()[0]["incidents"]
        .as_array()
        .unwrap()
        .len()
        != 4
    {
        assert!(
            Instant::now() < deadline,
            "the fourth incident did not join the problem"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let id = problem["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/problems/{id}")).json()["id"], id);
    app.get("/api/v1/problems?status=solved").problem(400);
}

#[test]
fn alarms_of_one_item_with_one_name_recur_together_across_fingerprints() {
    let app = app();
    let key = key(&app);
    // one check on one server, reported per mount point: a fingerprint each
    let disk = |mount: &str, status: &str| {
        json!({"fingerprint": format!("db7:{mount}"), "severity": "critical", "status": status,
               "summary": format!("disk {mount} full on db7"), "host": "db7",
               "alarm_name": "DiskFull"})
    };
    for (round, mount) in ["/var", "/srv", "/home"].into_iter().enumerate() {
        send(&app, &key, disk(mount, "firing"));
        eventually(&app, "an incident per firing", |i| i.len() == round + 1);
        send(&app, &key, disk(mount, "resolved"));
        eventually(&app, "recovered", |i| {
            i.iter().all(|x| x["status"] == "resolved")
        });
        if round < 2 {
            // none of them fired twice: recurrence by fingerprint alone would see nothing
            assert_eq!(app.get("/api/v1/problems").json(), json!([]));
        }
        advance(&app, 24 * 60 * 60);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let problem = loop {
        let problems = app.get("/api/v1/problems").json();
        if problems
            .as_array()
            .is_some_and(|p| p.len() == 1 && p[0]["incidents"].as_array().unwrap().len() == 3)
        {
            break problems[0].clone();
        }
        assert!(Instant::now() < deadline, "{problems}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(problem["recurrence_key"], "db7/DiskFull");
    assert_eq!(problem["configuration_item"], "db7");
    // an alarm of another name on the same item is another matter
    send(
        &app,
        &key,
        json!({"fingerprint": "db7:load", "severity": "critical", "status": "firing",
               "summary": "load high on db7", "host": "db7", "alarm_name": "HighLoad"}),
    );
    eventually(&app, "a fourth incident", |i| i.len() == 4);
    settle(&app);
    let problems = app.get("/api/v1/problems").json();
    assert_eq!(problems.as_array().unwrap().len(), 1);
    assert_eq!(problems[0]["incidents"].as_array().unwrap().len(), 3);
}
