//! Business calendars over HTTP: defined by a manager, read by agents, asked for deadlines
//! across weekends, holidays and DST, holidays imported from iCalendar, bad input refused.

use crate::support::{spawn_app, TestApp};
use serde_json::{json, Value};

fn berlin() -> Value {
    let day = json!([["09:00", "18:00"]]);
    json!({"name": "Berlin office", "time_zone": "Europe/Berlin",
           "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": [], "sun": []},
           "holidays": ["2026-12-24"]})
}

fn as_manager(app: &TestApp, method: &str, path: &str, body: &Value) -> crate::support::Reply {
    let manager = app.issue_token(&["manager"], "mona", "1h");
    app.request(
        method,
        path,
        Some(&manager),
        &[],
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    )
}

fn deadline(app: &TestApp, id: &str, start: &str, seconds: i64) -> Value {
    let reply = app.post(
        &format!("/api/v1/calendars/{id}/deadline"),
        &json!({"start": start, "business_seconds": seconds}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

#[test]
fn a_manager_defines_a_calendar_and_agents_ask_it_for_deadlines() {
    let app = spawn_app();
    let created = as_manager(&app, "POST", "/api/v1/calendars", &berlin());
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("etag"), Some("\"0\""));
    let calendar = created.json();
    let id = calendar["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/calendars/{id}")
    );
    assert_eq!(calendar["time_zone"], "Europe/Berlin");
    assert_eq!(
        app.get(&format!("/api/v1/calendars/{id}")).json()["name"],
        "Berlin office"
    );
    assert_eq!(
        app.get("/api/v1/calendars")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Friday 17:00 in Berlin + 2 business hours: Monday 10:00 (09:00 UTC in winter)
    assert_eq!(
        deadline(&app, &id, "2026-12-04T16:00:00Z", 7200)["due_at"],
        "2026-12-07T09:00:00Z"
    );
    // the same across the spring change: Monday 10:00 CEST is 08:00 UTC
    assert_eq!(
        deadline(&app, &id, "2026-03-27T16:00:00Z", 7200)["due_at"],
        "2026-03-30T08:00:00Z"
    );
    // a holiday is skipped: Wednesday 23 Dec 17:00 + 2h lands on Friday 25th at 10:00
    assert_eq!(
        deadline(&app, &id, "2026-12-23T16:00:00Z", 7200)["due_at"],
        "2026-12-25T09:00:00Z"
    );
    // exactly on a segment's end
    assert_eq!(
        deadline(&app, &id, "2026-12-07T08:00:00Z", 9 * 3600)["due_at"],
        "2026-12-07T17:00:00Z"
    );

    // agents read, but do not define
    let agent_write = app.post("/api/v1/calendars", &berlin());
    agent_write.problem(403);
}

#[test]
fn holidays_are_imported_from_icalendar() {
    let app = spawn_app();
    let id = as_manager(&app, "POST", "/api/v1/calendars", &berlin()).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manager = app.issue_token(&["manager"], "mona", "1h");
    let ical = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Labour Day\r\nDTSTART;VALUE=DATE:20260501\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let path = format!("/api/v1/calendars/{id}/holidays/import");
    let imported = app.request(
        "POST",
        &path,
        Some(&manager),
        &[],
        Some(("text/calendar", ical.as_bytes().to_vec())),
    );
    assert_eq!(imported.status, 200, "{}", imported.body);
    let calendar = imported.json();
    assert_eq!(
        calendar["holidays"],
        json!(["2026-12-24", "2026-12-25", "2026-12-26"])
    );
    assert_eq!(calendar["yearly_holidays"], json!(["05-01"]));
    // 1 May 2028 is a Monday: Friday 28 April 17:00 + 2h is Tuesday 2 May 10:00 (CEST)
    assert_eq!(
        deadline(&app, &id, "2028-04-28T15:00:00Z", 7200)["due_at"],
        "2028-05-02T08:00:00Z"
    );
    // the same file again adds nothing
    let again = app.request(
        "POST",
        &path,
        Some(&manager),
        &[],
        Some(("text/calendar", ical.as_bytes().to_vec())),
    );
    assert_eq!(again.json()["version"], 1, "no second import event");

    let broken = app.request(
        "POST",
        &path,
        Some(&manager),
        &[],
        Some(("text/calendar", b"BEGIN:VEVENT\nDTSTART:x\n".to_vec())),
    );
    let problem = broken.problem(422);
    assert_eq!(problem["errors"][0]["field"], "body");
    let wrong_type = app.request(
        "POST",
        &path,
        Some(&manager),
        &[],
        Some(("application/json", b"{}".to_vec())),
    );
    wrong_type.problem(415);
}

#[test]
fn bad_calendars_and_deadline_requests_are_refused_and_write_nothing() {
    let app = spawn_app();
    let mut bad = berlin();
    bad["time_zone"] = json!("Europe/Berln");
    bad["weekly"]["mon"] = json!([["09:00", "25:00"]]);
    bad["weekly"]["tue"] = json!([["09:00", "13:00"], ["12:00", "18:00"]]);
    bad["holidays"] = json!(["24.12.2026"]);
    let refused = as_manager(&app, "POST", "/api/v1/calendars", &bad);
    let problem = refused.problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["time_zone", "weekly.mon[0]", "weekly.tue[1]", "holidays[0]"] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    let manager = app.issue_token(&["manager"], "mona", "1h");
    let not_json = app.request(
        "POST",
        "/api/v1/calendars",
        Some(&manager),
        &[],
        Some(("application/json", b"{\"name\": ".to_vec())),
    );
    not_json.problem(400);
    assert!(
        app.get("/api/v1/calendars")
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing written"
    );

    let id = as_manager(&app, "POST", "/api/v1/calendars", &berlin()).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let no_start = app.post(
        &format!("/api/v1/calendars/{id}/deadline"),
        &json!({"business_seconds": 60}),
    );
    assert_eq!(no_start.problem(422)["errors"][0]["field"], "start");
    let negative = app.post(
        &format!("/api/v1/calendars/{id}/deadline"),
        &json!({"start": "2026-12-04T16:00:00Z", "business_seconds": -5}),
    );
    assert_eq!(
        negative.problem(422)["errors"][0]["field"],
        "business_seconds"
    );

    // a replace with a stale version is refused
    let stale = app.request(
        "PUT",
        &format!("/api/v1/calendars/{id}"),
        Some(&manager),
        &[("If-Match", "\"7\"")],
        Some(("application/json", serde_json::to_vec(&berlin()).unwrap())),
    );
    stale.problem(412);
    let mut later = berlin();
    later["weekly"] = json!("24x7");
    let replaced = app.request(
        "PUT",
        &format!("/api/v1/calendars/{id}"),
        Some(&manager),
        &[("If-Match", "\"0\"")],
        Some(("application/json", serde_json::to_vec(&later).unwrap())),
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(
        deadline(&app, &id, "2026-12-05T10:00:00Z", 3600)["due_at"],
        "2026-12-05T11:00:00Z",
        "24x7 counts the weekend"
    );
}
