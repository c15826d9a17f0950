//! Customers and business services over HTTP: registered by slug, read by every read role,
//! refused when malformed or twice, and a customer's own calendar standing in for their
//! contract's when their tickets' timers run.

use crate::support::{spawn_app_with, Reply, TestApp};
use serde_json::{json, Value};

fn manager(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> Reply {
    let token = app.issue_token(&["manager"], "mona", "1h");
    app.request(
        method,
        path,
        Some(&token),
        headers,
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    )
}

fn ok(reply: Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    reply.json()
}

#[test]
fn customers_and_services_are_registered_by_slug_and_refused_when_wrong() {
    let app = crate::support::spawn_app();
    let acme = manager(
        &app,
        "POST",
        "/api/v1/customers",
        &json!({"slug": "acme", "name": "ACME Corp", "contact_email": "ops@acme.example"}),
        &[],
    );
    assert_eq!(acme.header("location"), Some("/api/v1/customers/acme"));
    assert_eq!(acme.header("etag"), Some("\"0\""));
    ok(
        manager(
            &app,
            "POST",
            "/api/v1/services",
            &json!({"slug": "mail", "name": "Mail hosting"}),
            &[],
        ),
        201,
    );

    // every read role reads; agents do not write
    let read = app.get("/api/v1/customers/acme").json();
    assert_eq!(read["name"], "ACME Corp");
    assert_eq!(read["contact_email"], "ops@acme.example");
    assert_eq!(app.get("/api/v1/services").json()[0]["slug"], "mail");
    app.post(
        "/api/v1/customers",
        &json!({"slug": "globex", "name": "Globex"}),
    )
    .problem(403);
    app.get("/api/v1/customers/globex").problem(404);
    app.get("/api/v1/customers/Not%20A%20Slug").problem(400);

    // a second registration of a slug conflicts; bad fields are named
    manager(
        &app,
        "POST",
        "/api/v1/customers",
        &json!({"slug": "acme", "name": "Twin"}),
        &[],
    )
    .problem(409);
    let problem = manager(
        &app,
        "POST",
        "/api/v1/customers",
        &json!({"slug": "Big Corp", "name": " ", "contact_email": "not-an-address",
                "calendar": "00000000-0000-0000-0000-000000000009"}),
        &[],
    )
    .problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["slug", "name", "contact_email"]);
    let problem = manager(
        &app,
        "POST",
        "/api/v1/customers",
        &json!({"slug": "initech", "name": "Initech", "calendar": "00000000-0000-0000-0000-000000000009"}),
        &[],
    )
    .problem(422);
    assert_eq!(problem["errors"][0]["field"], "calendar");
    assert_eq!(
        app.get("/api/v1/customers")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing written"
    );

    // a replace keeps the slug and needs the version one saw
    let renamed = json!({"slug": "acme", "name": "ACME Corporation"});
    manager(
        &app,
        "PUT",
        "/api/v1/customers/acme",
        &renamed,
        &[("If-Match", "\"4\"")],
    )
    .problem(412);
    let replaced = manager(
        &app,
        "PUT",
        "/api/v1/customers/acme",
        &renamed,
        &[("If-Match", "\"0\"")],
    );
    assert_eq!(replaced.header("etag"), Some("\"1\""));
    assert_eq!(ok(replaced, 200)["name"], "ACME Corporation");
    let moved = json!({"slug": "acme-corp", "name": "ACME"});
    let problem = manager(&app, "PUT", "/api/v1/customers/acme", &moved, &[]).problem(422);
    assert_eq!(problem["errors"][0]["field"], "slug");
    manager(
        &app,
        "PUT",
        "/api/v1/services/web",
        &json!({"slug": "web", "name": "Web"}),
        &[],
    )
    .problem(404);
}

#[test]
fn a_customers_own_calendar_overrides_the_contracts() {
    // Monday 7 December 2026, 16:00 UTC: 17:00 in Berlin, 11:00 in New York
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-12-07T16:00:00Z")]);
    let day = json!([["09:00", "18:00"]]);
    let weekly = json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day});
    let berlin = ok(
        manager(
            &app,
            "POST",
            "/api/v1/calendars",
            &json!({"name": "Berlin office", "time_zone": "Europe/Berlin", "weekly": weekly}),
            &[],
        ),
        201,
    );
    let new_york = ok(
        manager(
            &app,
            "POST",
            "/api/v1/calendars",
            &json!({"name": "NY office", "time_zone": "America/New_York", "weekly": weekly}),
            &[],
        ),
        201,
    );
    let sla = ok(
        manager(
            &app,
            "POST",
            "/api/v1/slas",
            &json!({"name": "Gold", "targets": [
                {"ticket_type": "incident", "priority": "P1", "respond_seconds": 7200, "resolve_seconds": 28800}
            ]}),
            &[],
        ),
        201,
    );
    for (slug, calendar) in [("globex", None), ("initech", Some(new_york["id"].clone()))] {
        let mut body = json!({"slug": slug, "name": slug});
        if let Some(calendar) = calendar {
            body["calendar"] = calendar;
        }
        ok(manager(&app, "POST", "/api/v1/customers", &body, &[]), 201);
    }
    ok(
        manager(
            &app,
            "POST",
            "/api/v1/contracts",
            &json!({"name": "default", "sla": sla["id"], "calendar": berlin["id"]}),
            &[],
        ),
        201,
    );

    let respond_due = |customer: &str| {
        let opened = app.open_incident(
            json!({"title": "down", "customer": customer, "impact": "high", "urgency": "high"}),
        );
        let timers = opened["sla_timers"].as_array().unwrap().clone();
        let respond = timers
            .iter()
            .find(|t| t["target"] == "respond")
            .unwrap()
            .clone();
        (
            opened["sla"]["applied"]["calendar"]["time_zone"].clone(),
            respond["due_at"].clone(),
        )
    };
    // Berlin: one hour left today (17:00-18:00), one hour on Tuesday from 09:00 -> 09:00 UTC
    assert_eq!(
        respond_due("globex"),
        (json!("Europe/Berlin"), json!("2026-12-08T09:00:00Z"))
    );
    // New York: 11:00 + 2h = 13:00 local, 18:00 UTC the same day
    assert_eq!(
        respond_due("initech"),
        (json!("America/New_York"), json!("2026-12-07T18:00:00Z"))
    );
}
