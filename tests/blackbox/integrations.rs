use crate::support::spawn_app;
use serde_json::json;

fn as_admin(
    app: &crate::support::TestApp,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> crate::support::Reply {
    let admin = app.issue_token(&["admin"], "ada", "1h");
    let body = body.map(|b| ("application/json", serde_json::to_vec(&b).unwrap()));
    app.request(method, path, Some(&admin), &[], body)
}

#[test]
fn admins_register_change_rotate_and_revoke_integrations() {
    let app = spawn_app();
    let created = as_admin(
        &app,
        "POST",
        "/api/v1/integrations",
        Some(json!({
            "name": "prometheus-eu",
            "kind": "alertmanager",
            "defaults": {"customer": "acme", "assignment_group": "ops"},
            "rules": {"warning_grace_seconds": 300}
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let body = created.json();
    let key = body["key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 32);
    let integration = &body["integration"];
    let id = integration["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/integrations/{id}").as_str())
    );
    assert_eq!(integration["key_hint"], &key[..4]);
    assert_eq!(integration["rules"]["warning_grace_seconds"], 300);
    assert_eq!(
        integration["rules"]["reopen_window_seconds"], 3600,
        "omitted rules take defaults"
    );
    assert!(
        !created.body.contains("sha256"),
        "the key's hash is not shown"
    );

    let listed = as_admin(&app, "GET", "/api/v1/integrations", None).json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        !serde_json::to_string(&listed).unwrap().contains(&key),
        "the key is shown only once"
    );

    let changed = as_admin(
        &app,
        "PATCH",
        &format!("/api/v1/integrations/{id}"),
        Some(json!({"name": "prometheus-eu-1"})),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["name"], "prometheus-eu-1");

    // The key works (and is remembered by the server) until it is rotated; then only the new
    // one does, at once.
    let alarm = |key: &str| {
        let body = json!({"fingerprint": "rotation-check", "severity": "info",
                          "status": "firing", "summary": "rotation check"});
        let body = ("application/json", serde_json::to_vec(&body).unwrap());
        app.request("POST", "/api/v1/alarms", Some(key), &[], Some(body))
            .status
    };
    assert_eq!(alarm(&key), 202);
    let rotated = as_admin(
        &app,
        "POST",
        &format!("/api/v1/integrations/{id}/rotate-key"),
        None,
    );
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_key = rotated.json()["key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, key);
    assert_eq!(alarm(&key), 401, "the old key stops working at once");
    assert_eq!(alarm(&new_key), 202, "the new key works at once");

    let revoked = as_admin(&app, "DELETE", &format!("/api/v1/integrations/{id}"), None);
    assert_eq!(revoked.json()["revoked"], true);
    let after = as_admin(
        &app,
        "PATCH",
        &format!("/api/v1/integrations/{id}"),
        Some(json!({"name": "again"})),
    );
    assert!(after.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("revoked"));
}

#[test]
fn integrations_are_for_admins_and_bad_values_are_refused() {
    let app = spawn_app();
    let as_agent = app.request(
        "POST",
        "/api/v1/integrations",
        Some(&app.token),
        &[],
        Some((
            "application/json",
            br#"{"name":"x","kind":"zabbix"}"#.to_vec(),
        )),
    );
    as_agent.problem(403);
    app.get("/api/v1/integrations").problem(403);

    let bad_kind = as_admin(
        &app,
        "POST",
        "/api/v1/integrations",
        Some(json!({"name": "x", "kind": "splunk"})),
    );
    assert_eq!(bad_kind.problem(422)["errors"][0]["field"], "kind");
    let bad_rules = as_admin(
        &app,
        "POST",
        "/api/v1/integrations",
        Some(
            json!({"name": "x", "kind": "zabbix", "rules": {"flap_low_percent": 50, "flap_high_percent": 20}}),
        ),
    );
    assert_eq!(
        bad_rules.problem(422)["errors"][0]["field"],
        "flap_high_percent"
    );
    let unknown_rule = as_admin(
        &app,
        "POST",
        "/api/v1/integrations",
        Some(json!({"name": "x", "kind": "zabbix", "rules": {"grace": 5}})),
    );
    unknown_rule.problem(422);
    let empty_name = as_admin(
        &app,
        "POST",
        "/api/v1/integrations",
        Some(json!({"name": " ", "kind": "zabbix"})),
    );
    assert_eq!(empty_name.problem(422)["errors"][0]["field"], "name");
    as_admin(
        &app,
        "GET",
        &format!("/api/v1/integrations/{}", uuid::Uuid::now_v7()),
        None,
    )
    .problem(404);
    assert_eq!(app.log_head(), 0, "nothing refused was written");
}
