//! People, groups and on-call schedules over HTTP: contacts checked by format, unknown people
//! refused wherever they are named, and who is on call across a DST change, as a list of
//! shifts and as an iCalendar feed.

use crate::support::{spawn_app, Reply, TestApp};
use serde_json::{json, Value};

fn send(app: &TestApp, role: &str, method: &str, path: &str, body: &Value) -> Reply {
    let token = app.issue_token(&[role], "root", "1h");
    app.request(
        method,
        path,
        Some(&token),
        &[],
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    )
}

fn person(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "time_zone": "Europe/Berlin", "contacts": [
        {"kind": "email", "address": format!("{id}@example.com")},
        {"kind": "sms", "address": "+4915112345678"}
    ]})
}

fn berlin_schedule(members: &[&str]) -> Value {
    json!({"name": "Ops on call", "time_zone": "Europe/Berlin", "layers": [
        {"name": "weekly", "rotation": {"every": "weekly", "handoff": "09:00",
         "start": "2026-03-23", "members": members}},
        {"name": "weekends", "only_on": {"weekdays": ["sat", "sun"]},
         "rotation": {"every": "daily", "handoff": "08:00", "start": "2026-03-21", "members": ["dave"]}}
    ], "overrides": [{"from": "2026-04-01T10:00:00Z", "to": "2026-04-01T12:00:00Z", "person": "dave"}]})
}

#[test]
fn people_and_groups_are_checked_and_unknown_people_refused() {
    let app = spawn_app();
    for (id, name) in [
        ("bob", "Bob Builder"),
        ("carol", "Carol Danvers"),
        ("dave", "Dave Lister"),
    ] {
        let made = send(&app, "admin", "POST", "/api/v1/people", &person(id, name));
        assert_eq!(made.status, 201, "{}", made.body);
        assert_eq!(
            made.header("location"),
            Some(format!("/api/v1/people/{id}").as_str())
        );
    }
    assert_eq!(
        app.get("/api/v1/people/bob").json()["contacts"][1]["address"],
        "+4915112345678"
    );
    send(
        &app,
        "admin",
        "POST",
        "/api/v1/people",
        &person("bob", "Twin"),
    )
    .problem(409);
    send(
        &app,
        "manager",
        "POST",
        "/api/v1/people",
        &person("erin", "Erin"),
    )
    .problem(403);
    let problem = send(
        &app,
        "admin",
        "POST",
        "/api/v1/people",
        &json!({
        "id": "erin", "name": "Erin", "time_zone": "Europe/Bonn", "contacts": [
            {"kind": "email", "address": "erin at example"},
            {"kind": "sms", "address": "0151 1234"},
            {"kind": "webhook", "address": "ftp://chat.example.com/hook"}]}),
    )
    .problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "time_zone",
            "contacts[0].address",
            "contacts[1].address",
            "contacts[2].address"
        ]
    );
    app.get("/api/v1/people/erin").problem(404);

    let problem = send(
        &app,
        "admin",
        "POST",
        "/api/v1/groups",
        &json!({"slug": "network", "name": "Network", "members": ["bob", "zoe"]}),
    )
    .problem(422);
    assert_eq!(problem["errors"][0]["field"], "members[1]");
    let group = send(
        &app,
        "admin",
        "POST",
        "/api/v1/groups",
        &json!({"slug": "network", "name": "Network", "members": ["bob", "carol"]}),
    );
    assert_eq!(group.status, 201, "{}", group.body);
    assert_eq!(
        app.get("/api/v1/groups/network").json()["members"],
        json!(["bob", "carol"])
    );
    let problem = send(
        &app,
        "manager",
        "POST",
        "/api/v1/schedules",
        &berlin_schedule(&["bob", "zoe"]),
    )
    .problem(422);
    assert_eq!(
        problem["errors"][0]["field"],
        "layers[0].rotation.members[1]"
    );
    let mut gap = berlin_schedule(&["bob"]);
    gap["layers"][0]["rotation"]["every"] = json!("daily");
    gap["layers"][0]["rotation"]["handoff"] = json!("02:30");
    let problem = send(&app, "manager", "POST", "/api/v1/schedules", &gap).problem(422);
    assert_eq!(problem["errors"][0]["field"], "layers[0].rotation.handoff");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-03-29"),
        "{problem}"
    );
    let mut empty = berlin_schedule(&[]);
    empty["overrides"] = json!([]);
    let problem = send(&app, "manager", "POST", "/api/v1/schedules", &empty).problem(422);
    assert_eq!(problem["errors"][0]["field"], "layers[0].rotation.members");
    assert!(
        app.get("/api/v1/schedules")
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing written"
    );
}

#[test]
fn who_is_on_call_follows_the_local_hand_off_across_dst_as_shifts_and_a_feed() {
    let app = spawn_app();
    for (id, name) in [
        ("bob", "Bob Builder"),
        ("carol", "Carol Danvers"),
        ("dave", "Dave Lister"),
    ] {
        assert_eq!(
            send(&app, "admin", "POST", "/api/v1/people", &person(id, name)).status,
            201
        );
    }
    let made = send(
        &app,
        "manager",
        "POST",
        "/api/v1/schedules",
        &berlin_schedule(&["bob", "carol"]),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let who = |at: &str| {
        app.get(&format!("/api/v1/schedules/{id}/oncall?at={at}"))
            .json()["on_call"]["person"]
            .clone()
    };
    // Monday 30 March 09:00 CEST (07:00 UTC) after the clocks went forward: carol takes over
    assert_eq!(who("2026-03-30T06:59:59Z"), "bob");
    assert_eq!(who("2026-03-30T07:00:00Z"), "carol");
    // Saturday: the weekend layer; Wednesday 1 April 11:00 UTC: the override
    assert_eq!(who("2026-04-04T12:00:00Z"), "dave");
    let over = app
        .get(&format!(
            "/api/v1/schedules/{id}/oncall?at=2026-04-01T11:00:00Z"
        ))
        .json();
    assert_eq!(over["on_call"]["is_override"], true);
    assert_eq!(
        app.get(&format!(
            "/api/v1/schedules/{id}/oncall?at=2026-03-01T00:00:00Z"
        ))
        .json()["on_call"],
        Value::Null
    );

    let shifts = app
        .get(&format!(
            "/api/v1/schedules/{id}/shifts?from=2026-03-23T00:00:00Z&to=2026-03-31T00:00:00Z"
        ))
        .json();
    let list = shifts["shifts"].as_array().unwrap();
    assert_eq!(list[0]["start"], "2026-03-23T08:00:00Z");
    assert_eq!(list[0]["person"], "bob");
    let people: Vec<&str> = list.iter().map(|s| s["person"].as_str().unwrap()).collect();
    assert_eq!(people, vec!["bob", "dave", "bob", "carol"], "{shifts}");
    assert_eq!(list[3]["start"], "2026-03-30T07:00:00Z");
    app.get(&format!(
        "/api/v1/schedules/{id}/shifts?from=2026-01-01&to=2027-06-01"
    ))
    .problem(400);
    app.get(&format!(
        "/api/v1/schedules/{id}/shifts?from=2026-01-01&until=2026-02-01"
    ))
    .problem(400);

    let feed = app.get(&format!(
        "/api/v1/schedules/{id}/calendar.ics?from=2026-03-23&to=2026-03-31"
    ));
    assert_eq!(feed.status, 200);
    assert!(feed
        .header("content-type")
        .unwrap()
        .starts_with("text/calendar"));
    assert!(feed.body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(feed.body.matches("BEGIN:VEVENT").count(), 4);
    assert!(feed.body.contains("SUMMARY:On call: Bob Builder\r\n"));
    assert!(feed.body.contains("DTSTART:20260330T070000Z\r\n"));
}
