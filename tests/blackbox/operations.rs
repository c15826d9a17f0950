use crate::support::spawn_app;

#[test]
fn health_readiness_and_metrics() {
    let app = spawn_app();
    assert_eq!(app.get_as("/healthz", None).json()["status"], "ok");
    assert_eq!(app.get_as("/readyz", None).json()["status"], "ready");
    app.open_simple("Counted");
    let metrics = app.get_as("/metrics", None);
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = metrics.body;
    assert!(
        text.contains("servicedesk_http_requests_total{method=\"POST\",route=\"/api/v1/incidents\",status=\"201\"} 1"),
        "{text}"
    );
    assert!(text.contains(
        "servicedesk_http_request_duration_seconds_bucket{route=\"/api/v1/incidents\",le=\"+Inf\"}"
    ));
    assert!(text.contains("servicedesk_appended_events_total 1"));
    assert!(text.contains("servicedesk_log_head_position 1"));
    assert!(text.contains("servicedesk_projection_lag_events 0"));
}

#[test]
fn served_openapi_matches_the_checked_in_document_and_docs_page_loads() {
    let app = spawn_app();
    let served = app.get_as("/openapi.json", None).json();
    let checked_in: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert_eq!(
        served, checked_in,
        "run: cargo run -- openapi > openapi/openapi.json"
    );
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    let docs = app.get_as("/docs/", None);
    assert_eq!(docs.status, 200);
    assert!(
        docs.body.to_lowercase().contains("swagger"),
        "{}",
        docs.body
    );
}
