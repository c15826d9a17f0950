use crate::support::spawn_app;

fn field_of(problem: &serde_json::Value) -> String {
    problem["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn bad_bodies_get_precise_problems_and_write_nothing() {
    let app = spawn_app();
    let post = |content_type: &str, body: &[u8]| {
        app.request(
            "POST",
            "/api/v1/incidents",
            Some(&app.token),
            &[],
            Some((content_type, body.to_vec())),
        )
    };
    let json = "application/json";

    let malformed = post(json, b"{\"title\": \"x\"");
    assert!(malformed.problem(400)["detail"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    post(json, b"").problem(400);
    post(json, b"[1,2]").problem(422);

    let unknown = post(json, br#"{"title": "x", "titel": "y"}"#).problem(422);
    assert!(
        unknown["detail"].as_str().unwrap().contains("titel"),
        "{unknown}"
    );
    let wrong_type = post(json, br#"{"title": 42}"#).problem(422);
    assert_eq!(field_of(&wrong_type), "title");
    let bad_enum = post(json, br#"{"title": "x", "impact": "huge"}"#).problem(422);
    assert_eq!(field_of(&bad_enum), "impact");
    let empty_title = post(json, br#"{"title": "   "}"#).problem(422);
    assert_eq!(field_of(&empty_title), "title");
    let long_title = format!(r#"{{"title": "{}"}}"#, "x".repeat(201));
    assert_eq!(
        field_of(&post(json, long_title.as_bytes()).problem(422)),
        "title"
    );
    let several = post(json, br#"{"title": "", "customer": "a\nb"}"#).problem(422);
    assert_eq!(several["errors"].as_array().unwrap().len(), 2);

    post("text/plain", br#"{"title": "x"}"#).problem(415);
    let huge = format!(
        r#"{{"title": "x", "description": "{}"}}"#,
        "d".repeat(1_100_000)
    );
    post(json, huge.as_bytes()).problem(413);

    assert_eq!(app.log_head(), 0, "no bad request wrote anything");
    assert_eq!(
        app.get("/api/v1/incidents").json()["items"],
        serde_json::json!([])
    );
}

#[test]
fn bad_paths_queries_and_headers() {
    let app = spawn_app();
    let id = app.open_simple("Target");
    let bad_uuid = app.get("/api/v1/incidents/not-a-uuid").problem(400);
    assert_eq!(field_of(&bad_uuid), "id");
    app.get(&format!("/api/v1/incidents/{}", uuid::Uuid::now_v7()))
        .problem(404);
    app.get("/api/v1/incidents?cursor=garbage").problem(400);
    app.get("/api/v1/incidents?limit=0").problem(400);
    app.get("/api/v1/incidents?stauts=new").problem(400);
    app.get("/api/v1/incidents?status=open").problem(400);
    app.get(&format!("/api/v1/incidents/{id}?as_of=yesterday"))
        .problem(400);
    app.get("/api/v1/nothing-here").problem(404);

    let head = app.log_head();
    let bad_if_match = app.send_with(
        "PATCH",
        &format!("/api/v1/incidents/{id}"),
        &serde_json::json!({"title": "y"}),
        &[("If-Match", "abc")],
    );
    bad_if_match.problem(400);
    let empty_patch = app.send(
        "PATCH",
        &format!("/api/v1/incidents/{id}"),
        &serde_json::json!({}),
    );
    empty_patch.problem(422);
    let null_title = app.send(
        "PATCH",
        &format!("/api/v1/incidents/{id}"),
        &serde_json::json!({"title": null}),
    );
    null_title.problem(422);
    let comment = app.post(
        &format!("/api/v1/incidents/{id}/comments"),
        &serde_json::json!({"body": ""}),
    );
    comment.problem(422);
    assert_eq!(app.log_head(), head);
}

#[test]
fn a_known_path_with_another_method_is_405_naming_the_allowed_ones() {
    let app = spawn_app();
    let id = app.open_simple("Target");
    let admin = app.issue_token(&["admin"], "ada", "1h");
    let cases = [
        ("DELETE", "/api/v1/incidents".to_owned(), "GET, POST"),
        ("PUT", format!("/api/v1/incidents/{id}"), "GET, PATCH"),
        ("GET", format!("/api/v1/incidents/{id}/assign"), "POST"),
        (
            "POST",
            format!("/api/v1/incidents/{id}/links/related/{id}"),
            "DELETE",
        ),
        (
            "PUT",
            "/api/v1/integrations/x".to_owned(),
            "GET, PATCH, DELETE",
        ),
        (
            "DELETE",
            "/api/v1/alarms/alertmanager".to_owned(),
            "GET, POST",
        ),
        ("GET", "/v2/enqueue".to_owned(), "POST"),
        (
            "GET",
            "/generic/2010-04-15/create_event.json".to_owned(),
            "POST",
        ),
        ("GET", "/api/v1/admin/clock".to_owned(), "POST"),
        ("POST", "/healthz".to_owned(), "GET"),
    ];
    for (method, path, allow) in cases {
        for token in [Some(app.token.as_str()), Some(admin.as_str()), None] {
            let reply = app.request(method, &path, token, &[], None);
            let problem = reply.problem(405);
            assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
            assert_eq!(
                problem["type"], "urn:servicedesk:problem:method-not-allowed",
                "{problem}"
            );
            assert!(
                problem["detail"].as_str().unwrap().contains(allow),
                "{problem}"
            );
        }
    }
    // unknown paths stay 404, whatever the method
    for (method, path) in [
        ("GET", "/api/v1/nothing-here"),
        ("DELETE", "/api/v1/nothing-here"),
        ("GET", "/api/v1/incidents/"),
        ("POST", "/api/v1/incidents/x/unknown"),
    ] {
        let reply = app.request(method, path, Some(&app.token), &[], None);
        reply.problem(404);
        assert_eq!(reply.header("allow"), None, "{method} {path}");
    }
    assert_eq!(app.log_head(), 1, "nothing refused was written");
}
