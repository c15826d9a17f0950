use crate::support::{run_cli, spawn_app, start};
use serde_json::json;
use std::path::Path;

/// Every row of every read-model table, in a fixed order, as text.
fn dump(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut rows = Vec::new();
    for (table, order) in [
        ("incidents", "seq"),
        ("incident_links", "source, kind, target"),
        ("checkpoints", "projection"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .unwrap();
        let columns = stmt.column_count();
        let mut query = stmt.query([]).unwrap();
        while let Some(row) = query.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect();
            rows.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    rows
}

#[test]
fn rebuilt_read_models_equal_the_live_ones() {
    let mut app = spawn_app();
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(app.open_incident(json!({"title": format!("Incident {i}"), "description": "rebuild me", "service": "web"}))["id"].as_str().unwrap().to_owned());
    }
    for (i, id) in ids.iter().enumerate() {
        let path = format!("/api/v1/incidents/{id}");
        app.post(
            &format!("{path}/assign"),
            &json!({"assignee": format!("agent{}", i % 3)}),
        );
        if i % 2 == 0 {
            app.post(
                &format!("{path}/transitions"),
                &json!({"status": "in_progress"}),
            );
            app.send(
                "PATCH",
                &path,
                &json!({"title": format!("Renamed {i}"), "service": null}),
            );
        }
        if i % 4 == 0 {
            app.post(
                &format!("{path}/links"),
                &json!({"kind": "related", "target": ids[0]}),
            );
            app.post(&format!("{path}/comments"), &json!({"body": "checked"}));
        }
    }
    for name in ["zabbix-dc1", "prometheus-eu"] {
        app.register_integration(&json!({"name": name, "kind": "zabbix"}));
    }
    let head = app.log_head();
    app.stop();
    let db = app.dir.join("readmodel.db");
    let live = dump(&db);
    assert!(live.len() > 20);

    let (ok, stdout, stderr) = run_cli(&app.dir, &["projections", "rebuild"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains(&format!("from {head} events")), "{stdout}");
    let rebuilt = dump(&db);
    assert_eq!(live, rebuilt);

    // the rebuilt file serves: search and filters work after a restart
    let restarted = start(&app.dir);
    let renamed = restarted.get("/api/v1/incidents?q=renamed").json();
    assert_eq!(renamed["items"].as_array().unwrap().len(), 10);
    let web = restarted.get("/api/v1/incidents?service=web").json();
    assert_eq!(web["items"].as_array().unwrap().len(), 10);
}

#[test]
fn rebuild_refuses_while_the_server_runs() {
    let app = spawn_app();
    app.open_simple("busy");
    let (ok, _, stderr) = run_cli(&app.dir, &["projections", "rebuild"]);
    assert!(!ok);
    assert!(stderr.contains("another servicedesk process"), "{stderr}");
    assert_eq!(
        app.get("/api/v1/incidents").json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
