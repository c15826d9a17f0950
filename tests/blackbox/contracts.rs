//! SLAs and contracts over HTTP: defined by managers, the most specific contract chosen for a
//! customer and service, and bad definitions refused without writing anything.

use crate::support::{spawn_app, Reply, TestApp};
use serde_json::{json, Value};

fn manager_send(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> Reply {
    let manager = app.issue_token(&["manager"], "mona", "1h");
    app.request(
        method,
        path,
        Some(&manager),
        headers,
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    )
}

fn gold() -> Value {
    json!({"name": "Gold", "targets": [
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 14400, "update_every_seconds": 3600},
        {"ticket_type": "incident", "priority": "P2", "respond_seconds": 3600, "resolve_seconds": 28800}
    ]})
}

fn created(reply: Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_owned()
}

#[test]
fn the_most_specific_contract_is_the_one_a_ticket_runs_on() {
    let app = spawn_app();
    let sla = manager_send(&app, "POST", "/api/v1/slas", &gold(), &[]);
    assert_eq!(sla.header("etag"), Some("\"0\""));
    let sla = created(sla);
    let read = app.get(&format!("/api/v1/slas/{sla}")).json();
    assert_eq!(read["warn_percent"], 75, "defaults filled in");
    assert_eq!(read["targets"][0]["resolve_seconds"], 14400);

    for (path, slug) in [("customers", "acme"), ("services", "mail")] {
        let body = json!({"slug": slug, "name": slug.to_uppercase()});
        created(manager_send(
            &app,
            "POST",
            &format!("/api/v1/{path}"),
            &body,
            &[],
        ));
    }
    let contract = |name: &str, customer: Option<&str>, service: Option<&str>| {
        let mut body = json!({"name": name, "sla": sla});
        if let Some(c) = customer {
            body["customer"] = json!(c);
        }
        if let Some(s) = service {
            body["service"] = json!(s);
        }
        created(manager_send(&app, "POST", "/api/v1/contracts", &body, &[]))
    };
    let default = contract("everyone", None, None);
    let mail = contract("mail for all", None, Some("mail"));
    let acme = contract("acme", Some("acme"), None);
    let acme_mail = contract("acme mail", Some("acme"), Some("mail"));
    assert_eq!(
        app.get("/api/v1/contracts")
            .json()
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let resolve = |query: &str| {
        app.get(&format!("/api/v1/contracts/resolve?{query}"))
            .json()
    };
    let picked = |query: &str| {
        let r = resolve(query);
        (
            r["matched_by"].as_str().unwrap().to_owned(),
            r["contract"]["id"].as_str().unwrap().to_owned(),
        )
    };
    assert_eq!(
        picked("customer=acme&service=mail"),
        ("customer_and_service".into(), acme_mail)
    );
    assert_eq!(
        picked("customer=acme&service=web"),
        ("customer".into(), acme)
    );
    assert_eq!(
        picked("customer=globex&service=mail"),
        ("service".into(), mail)
    );
    assert_eq!(picked("customer=globex"), ("default".into(), default));

    // a second contract for the same scope is a conflict
    let again = manager_send(
        &app,
        "POST",
        "/api/v1/contracts",
        &json!({"name": "acme again", "customer": "acme", "sla": sla}),
        &[],
    );
    again.problem(409);

    // agents read, but do not define
    app.post("/api/v1/slas", &gold()).problem(403);
    assert_eq!(app.get("/api/v1/slas").json().as_array().unwrap().len(), 1);
}

#[test]
fn bad_slas_and_contracts_are_refused_and_write_nothing() {
    let app = spawn_app();
    let bad = json!({"name": "Broken", "warn_percent": 0, "targets": [
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 0, "resolve_seconds": -60},
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 60}
    ]});
    let problem = manager_send(&app, "POST", "/api/v1/slas", &bad, &[]).problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "warn_percent",
        "targets[0].respond_seconds",
        "targets[0].resolve_seconds",
        "targets[1]",
    ] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    let unknown_priority = json!({"name": "x", "targets": [{"ticket_type": "incident", "priority": "P9", "respond_seconds": 60}]});
    manager_send(&app, "POST", "/api/v1/slas", &unknown_priority, &[]).problem(422);
    assert!(
        app.get("/api/v1/slas")
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing written"
    );

    let missing_sla = json!({"name": "c", "sla": "00000000-0000-0000-0000-000000000001"});
    let problem = manager_send(&app, "POST", "/api/v1/contracts", &missing_sla, &[]).problem(422);
    assert_eq!(problem["errors"][0]["field"], "sla");
    let sla = created(manager_send(&app, "POST", "/api/v1/slas", &gold(), &[]));
    let missing_calendar =
        json!({"name": "c", "sla": sla, "calendar": "00000000-0000-0000-0000-000000000002"});
    let problem =
        manager_send(&app, "POST", "/api/v1/contracts", &missing_calendar, &[]).problem(422);
    assert_eq!(problem["errors"][0]["field"], "calendar");
    let bad_slug = json!({"name": "c", "sla": sla, "customer": "ACME Corp"});
    let problem = manager_send(&app, "POST", "/api/v1/contracts", &bad_slug, &[]).problem(422);
    assert_eq!(problem["errors"][0]["field"], "customer");
    for (field, body) in [
        (
            "customer",
            json!({"name": "c", "sla": sla, "customer": "nobody"}),
        ),
        (
            "service",
            json!({"name": "c", "sla": sla, "service": "nothing"}),
        ),
    ] {
        let problem = manager_send(&app, "POST", "/api/v1/contracts", &body, &[]).problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("no "),
            "{problem}"
        );
    }
    assert!(
        app.get("/api/v1/contracts")
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing written"
    );
    app.get("/api/v1/contracts/resolve?customer=acme")
        .problem(404);

    // replacing an SLA needs the version one saw
    let mut changed = gold();
    changed["warn_percent"] = json!(80);
    manager_send(
        &app,
        "PUT",
        &format!("/api/v1/slas/{sla}"),
        &changed,
        &[("If-Match", "\"3\"")],
    )
    .problem(412);
    let replaced = manager_send(
        &app,
        "PUT",
        &format!("/api/v1/slas/{sla}"),
        &changed,
        &[("If-Match", "\"0\"")],
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.header("etag"), Some("\"1\""));
    assert_eq!(replaced.json()["warn_percent"], 80);
}
