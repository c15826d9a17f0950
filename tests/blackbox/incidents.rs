use crate::support::spawn_app;
use serde_json::json;

#[test]
fn created_incident_is_immediately_readable() {
    let app = spawn_app();
    let reply = app.post(
        "/api/v1/incidents",
        &json!({
            "title": "  Mail server unreachable ",
            "description": "SMTP on mx1 times out",
            "customer": "acme", "service": "mail", "configuration_item": "mx1",
            "impact": "high", "urgency": "high"
        }),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("etag"), Some("\"0\""));
    let created = reply.json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/incidents/{id}").as_str())
    );
    assert_eq!(created["title"], "Mail server unreachable");
    assert_eq!(created["priority"], "P1");
    assert_eq!(created["status"], "new");
    assert_eq!(created["opened_by"], "alice");

    // read-your-writes: the very next read sees it, in the item and in the list
    let read = app.get(&format!("/api/v1/incidents/{id}"));
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), created);
    assert_eq!(read.header("etag"), Some("\"0\""));
    let list = app.get("/api/v1/incidents?service=mail").json();
    assert_eq!(list["items"][0]["id"], id);
}

#[test]
fn lifecycle_from_new_to_closed_over_http() {
    let app = spawn_app();
    let id = app.open_simple("Disk full on db2");
    let path = format!("/api/v1/incidents/{id}");

    let assigned = app.post(
        &format!("{path}/assign"),
        &json!({"assignment_group": "dba", "assignee": "bob"}),
    );
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert_eq!(assigned.json()["status"], "assigned");

    let steps = [
        (json!({"status": "in_progress"}), "in_progress"),
        (
            json!({"status": "pending", "pending_reason": "awaiting_vendor", "note": "case 4711"}),
            "pending",
        ),
        (json!({"status": "in_progress"}), "in_progress"),
        (
            json!({"status": "resolved", "resolution_code": "permanent_fix", "note": "grew the volume"}),
            "resolved",
        ),
        (
            json!({"status": "in_progress", "note": "still full"}),
            "in_progress",
        ),
        (
            json!({"status": "resolved", "resolution_code": "workaround", "note": "purged logs"}),
            "resolved",
        ),
        (json!({"status": "closed"}), "closed"),
    ];
    for (body, expected) in steps {
        let reply = app.post(&format!("{path}/transitions"), &body);
        assert_eq!(reply.status, 200, "{body}: {}", reply.body);
        assert_eq!(reply.json()["status"], expected);
        assert_eq!(
            app.get(&path).json()["status"],
            expected,
            "read model after {body}"
        );
    }
    let closed = app.get(&path).json();
    assert_eq!(closed["reopen_count"], 1);
    assert_eq!(closed["resolution"]["code"], "workaround");
    assert!(closed["closed_at"].is_string());
    assert_eq!(closed["version"], 8);

    // closed is final: the 409 names what is allowed (nothing)
    let refused = app.post(
        &format!("{path}/transitions"),
        &json!({"status": "in_progress"}),
    );
    let problem = refused.problem(409);
    assert_eq!(problem["current_status"], "closed");
    assert_eq!(problem["allowed_transitions"], json!([]));
}

#[test]
fn illegal_transition_is_409_naming_the_allowed_ones_and_writes_nothing() {
    let app = spawn_app();
    let id = app.open_simple("VPN down");
    let head = app.log_head();
    let reply = app.post(
        &format!("/api/v1/incidents/{id}/transitions"),
        &json!({"status": "closed"}),
    );
    let problem = reply.problem(409);
    assert_eq!(problem["current_status"], "new");
    assert_eq!(
        problem["allowed_transitions"],
        json!(["resolved", "cancelled"])
    );
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("allowed from new: resolved, cancelled"));
    assert_eq!(app.log_head(), head);

    let missing_reason = app.post(
        &format!("/api/v1/incidents/{id}/transitions"),
        &json!({"status": "resolved"}),
    );
    let problem = missing_reason.problem(422);
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["resolution_code", "note"]);
    assert_eq!(app.log_head(), head);
}

#[test]
fn stale_if_match_is_412_and_fresh_one_succeeds() {
    let app = spawn_app();
    let id = app.open_simple("Printer jam");
    let path = format!("/api/v1/incidents/{id}");
    let first = app.send_with(
        "PATCH",
        &path,
        &json!({"title": "Printer jam on floor 2"}),
        &[("If-Match", "\"0\"")],
    );
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("etag"), Some("\"1\""));
    let head = app.log_head();

    let stale = app.send_with(
        "PATCH",
        &path,
        &json!({"title": "lost update"}),
        &[("If-Match", "\"0\"")],
    );
    let problem = stale.problem(412);
    assert_eq!(problem["current_version"], 1);
    assert_eq!(app.log_head(), head, "a refused write writes nothing");
    assert_eq!(app.get(&path).json()["title"], "Printer jam on floor 2");

    let fresh = app.send_with(
        "PATCH",
        &path,
        &json!({"urgency": "high", "impact": "high"}),
        &[("If-Match", "\"1\"")],
    );
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.json()["priority"], "P1");
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    let app = spawn_app();
    let id = app.open_simple("Busy ticket");
    let path = format!("/api/v1/incidents/{id}/comments");
    std::thread::scope(|s| {
        for t in 0..8 {
            let app = &app;
            let path = &path;
            s.spawn(move || {
                for i in 0..5 {
                    let reply = app.post(path, &json!({"body": format!("note {t}-{i}")}));
                    assert_eq!(reply.status, 201, "{}", reply.body);
                }
            });
        }
    });
    let incident = app.get(&format!("/api/v1/incidents/{id}")).json();
    assert_eq!(incident["comments"].as_array().unwrap().len(), 40);
    assert_eq!(incident["version"], 40);
}

#[test]
fn history_and_as_of_show_the_past() {
    let app = spawn_app();
    let id = app.open_simple("Old title");
    let path = format!("/api/v1/incidents/{id}");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let between = chrono::Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(
        app.send("PATCH", &path, &json!({"title": "New title"}))
            .status,
        200
    );

    let history = app.get(&format!("{path}/history")).json();
    let types: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["IncidentOpened", "IncidentUpdated"]);
    assert_eq!(history[1]["data"]["changes"]["title"], "New title");
    assert_eq!(history[1]["actor"]["id"], "alice");
    assert_eq!(history[1]["version"], 1);
    assert_ne!(
        history[0]["correlation_id"], history[1]["correlation_id"],
        "one correlation per request"
    );

    // a client's correlation id is carried into the events it causes
    let correlation = uuid::Uuid::now_v7().to_string();
    let noted = app.send_with(
        "POST",
        &format!("{path}/comments"),
        &json!({"body": "traced"}),
        &[("X-Correlation-Id", &correlation)],
    );
    assert_eq!(noted.status, 201);
    let history = app.get(&format!("{path}/history")).json();
    assert_eq!(history[2]["correlation_id"], correlation.as_str());

    let as_of = between.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let past = app.get(&format!("{path}?as_of={as_of}"));
    assert_eq!(past.status, 200, "{}", past.body);
    assert_eq!(past.json()["title"], "Old title");
    assert_eq!(past.header("etag"), Some("\"0\""));
    let before_birth = app.get(&format!("{path}?as_of=2000-01-01T00:00:00Z"));
    before_birth.problem(404);
    assert_eq!(app.get(&path).json()["title"], "New title");
}

#[test]
fn comments_and_work_notes_and_links() {
    let app = spawn_app();
    let parent = app.open_simple("Data centre power loss");
    let child = app.open_simple("Web shop down");
    let path = format!("/api/v1/incidents/{child}");

    let note = app.post(
        &format!("{path}/comments"),
        &json!({"body": "UPS alarm seen"}),
    );
    assert_eq!(note.status, 201);
    let customer = app.post(
        &format!("{path}/comments"),
        &json!({"body": "We are on it", "visibility": "customer"}),
    );
    let comments = customer.json()["comments"].clone();
    assert_eq!(comments[0]["visibility"], "internal");
    assert_eq!(comments[1]["visibility"], "customer");
    assert_eq!(comments[1]["author"], "alice");

    let linked = app.post(
        &format!("{path}/links"),
        &json!({"kind": "parent", "target": parent}),
    );
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(
        linked.json()["links"],
        json!([{"kind": "parent", "target": parent}])
    );
    let again = app.post(
        &format!("{path}/links"),
        &json!({"kind": "parent", "target": parent}),
    );
    assert_eq!(
        again.json()["version"],
        linked.json()["version"],
        "linking twice changes nothing"
    );

    let to_self = app.post(
        &format!("{path}/links"),
        &json!({"kind": "related", "target": child}),
    );
    to_self.problem(422);
    let to_nowhere = app.post(
        &format!("{path}/links"),
        &json!({"kind": "related", "target": uuid::Uuid::now_v7()}),
    );
    assert_eq!(to_nowhere.problem(422)["errors"][0]["field"], "target");

    let unlinked = app.request(
        "DELETE",
        &format!("{path}/links/parent/{parent}"),
        Some(&app.token),
        &[],
        None,
    );
    assert_eq!(unlinked.status, 200, "{}", unlinked.body);
    assert_eq!(unlinked.json()["links"], json!([]));
}
