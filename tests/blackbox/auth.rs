use crate::support::{spawn_app, SECRET};
use serde_json::json;
use servicedesk_api::{JwtKeys, Role};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[test]
fn missing_or_bad_tokens_are_401() {
    let app = spawn_app();
    let missing = app.get_as("/api/v1/incidents", None);
    missing.problem(401);
    assert!(missing
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    app.get_as("/api/v1/incidents", Some("not-a-jwt"))
        .problem(401);

    let forged = JwtKeys::new(
        b"another-secret-another-secret-another-secret",
        "servicedesk",
        "servicedesk-api",
    )
    .issue("mallory", &[Role::Admin], now(), 3600)
    .unwrap();
    app.get_as("/api/v1/incidents", Some(&forged)).problem(401);

    let keys = |iss: &str, aud: &str| JwtKeys::new(SECRET.as_bytes(), iss, aud);
    let wrong_issuer = keys("someone-else", "servicedesk-api")
        .issue("eve", &[Role::Agent], now(), 3600)
        .unwrap();
    app.get_as("/api/v1/incidents", Some(&wrong_issuer))
        .problem(401);
    let wrong_audience = keys("servicedesk", "other-api")
        .issue("eve", &[Role::Agent], now(), 3600)
        .unwrap();
    app.get_as("/api/v1/incidents", Some(&wrong_audience))
        .problem(401);
    let expired = keys("servicedesk", "servicedesk-api")
        .issue("eve", &[Role::Agent], now() - 7200, 3600)
        .unwrap();
    let problem = app.get_as("/api/v1/incidents", Some(&expired)).problem(401);
    assert!(
        problem["detail"].as_str().unwrap().contains("Expired"),
        "{problem}"
    );
    let valid = keys("servicedesk", "servicedesk-api")
        .issue("eve", &[Role::Agent], now(), 3600)
        .unwrap();
    assert_eq!(app.get_as("/api/v1/incidents", Some(&valid)).status, 200);
}

#[test]
fn algorithm_is_pinned() {
    let app = spawn_app();
    // an unsigned token ("alg": "none") claiming admin
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = base64url(
        format!(r#"{{"sub":"eve","roles":["admin"],"iss":"servicedesk","aud":"servicedesk-api","iat":{},"exp":{}}}"#, now(), now() + 3600).as_bytes(),
    );
    let token = format!("{header}.{claims}.");
    app.get_as("/api/v1/incidents", Some(&token)).problem(401);
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn roles_decide_what_a_caller_may_do() {
    let app = spawn_app();
    let id = app.open_simple("Seen by everyone");
    let reporter = app.issue_token(&["reporter"], "rita", "1h");
    let integration = app.issue_token(&["integration"], "alertmanager", "1h");
    let manager = app.issue_token(&["manager"], "mia", "1h");

    assert_eq!(
        app.get_as(&format!("/api/v1/incidents/{id}"), Some(&reporter))
            .status,
        200
    );
    let head = app.log_head();
    let write = app.request(
        "POST",
        "/api/v1/incidents",
        Some(&reporter),
        &[],
        Some(("application/json", br#"{"title":"nope"}"#.to_vec())),
    );
    let problem = write.problem(403);
    assert!(problem["detail"].as_str().unwrap().contains("reporter"));
    assert_eq!(app.log_head(), head);

    app.get_as("/api/v1/incidents", Some(&integration))
        .problem(403);
    let by_integration = app.request(
        "POST",
        &format!("/api/v1/incidents/{id}/comments"),
        Some(&integration),
        &[],
        Some((
            "application/json",
            serde_json::to_vec(&json!({"body": "x"})).unwrap(),
        )),
    );
    by_integration.problem(403);

    let by_manager = app.request(
        "POST",
        &format!("/api/v1/incidents/{id}/assign"),
        Some(&manager),
        &[],
        Some((
            "application/json",
            serde_json::to_vec(&json!({"assignee": "mia"})).unwrap(),
        )),
    );
    assert_eq!(by_manager.status, 200, "{}", by_manager.body);
}

#[test]
fn token_cli_refuses_unknown_roles() {
    let app = spawn_app();
    let (ok, _, stderr) = crate::support::run_cli(
        &app.dir,
        &["token", "issue", "--role", "root", "--sub", "x"],
    );
    assert!(!ok);
    assert!(stderr.contains("unknown role"), "{stderr}");
}
