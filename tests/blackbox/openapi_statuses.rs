//! The OpenAPI document against the running server: every operation in the served
//! `/openapi.json` is called with the requests a fuzzer would try (no credentials, a malformed
//! path id, a wrong media type, a malformed, empty or unknown-field body), and every answer must
//! have a status the operation documents, never a 5xx, and a 4xx must be a problem document
//! (unless the operation documents another media type for that status, as the PagerDuty paths
//! do for their PagerDuty-shaped 400).

use crate::support::{spawn_app_with, Reply, TestApp};
use serde_json::{json, Value};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const PROBLEM_JSON: &str = "application/problem+json";

struct Operation<'a> {
    method: &'static str,
    path: &'a str,
    op: &'a Value,
}

impl Operation<'_> {
    fn name(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }

    fn has_body(&self) -> bool {
        self.op.get("requestBody").is_some()
    }

    fn path_params(&self) -> Vec<&Value> {
        self.op["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == "path").collect())
            .unwrap_or_default()
    }

    /// The security scheme the operation names, if any (`bearer` or `integration_key`).
    fn scheme(&self) -> Option<String> {
        self.op["security"]
            .as_array()?
            .iter()
            .find_map(|requirement| requirement.as_object()?.keys().next().cloned())
    }
}

fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                all.push(Operation { method, path, op });
            }
        }
    }
    all
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// A value the parameter accepts: a UUID for an id, the first value of an enumeration (a link
/// kind), else some text (a fingerprint).
fn filler(doc: &Value, param: &Value) -> String {
    let schema = resolve(doc, &param["schema"]);
    if schema["format"] == "uuid" {
        return uuid::Uuid::now_v7().to_string();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.as_str().unwrap().to_owned();
    }
    "some-fingerprint".to_owned()
}

fn concrete_path(doc: &Value, op: &Operation<'_>, malformed: bool) -> String {
    let mut path = op.path.to_owned();
    for param in op.path_params() {
        let name = param["name"].as_str().unwrap();
        let value = if malformed {
            "not-a-uuid".to_owned()
        } else {
            filler(doc, param)
        };
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    path
}

struct Credentials {
    /// May call every JWT operation.
    jwt: String,
    integration_key: String,
}

fn credential<'a>(op: &Operation<'_>, credentials: &'a Credentials) -> Option<&'a str> {
    match op.scheme().as_deref() {
        Some("bearer") => Some(&credentials.jwt),
        Some("integration_key") => Some(&credentials.integration_key),
        Some(other) => panic!("{}: unknown security scheme {other}", op.name()),
        None => None,
    }
}

fn media_type(reply: &Reply) -> String {
    reply
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What is wrong with this answer to this operation, if anything.
fn judge(op: &Operation<'_>, case: &str, reply: &Reply) -> Option<String> {
    let status = reply.status;
    let at = format!("{} ({case}): {status}", op.name());
    if status >= 500 {
        return Some(format!("{at} is a server error: {}", reply.body));
    }
    let Some(documented) = op.op["responses"].get(status.to_string()) else {
        return Some(format!("{at} is not documented: {}", reply.body));
    };
    // A 4xx is a problem document; another media type only where the operation documents
    // it for this status (and the document checks that problem+json is documented too).
    let media_type = media_type(reply);
    if (400..500).contains(&status) && documented["content"].get(&media_type).is_none() {
        return Some(format!(
            "{at} is {media_type:?}, not {PROBLEM_JSON} as documented: {}",
            reply.body
        ));
    }
    None
}

fn walk(app: &TestApp, doc: &Value, credentials: &Credentials) -> (usize, Vec<String>) {
    let mut calls = 0;
    let mut failures = Vec::new();
    let mut call = |op: &Operation<'_>,
                    case: &str,
                    path: &str,
                    token: Option<&str>,
                    body: Option<(&str, &[u8])>| {
        let reply = app.request(
            &op.method.to_uppercase(),
            path,
            token,
            &[],
            body.map(|(media_type, bytes)| (media_type, bytes.to_vec())),
        );
        calls += 1;
        failures.extend(judge(op, case, &reply));
    };
    for op in operations(doc) {
        let token = credential(&op, credentials);
        let path = concrete_path(doc, &op, false);
        let empty_object: Option<(&str, &[u8])> =
            op.has_body().then_some(("application/json", b"{}"));

        call(&op, "no credentials", &path, None, empty_object);
        call(&op, "credentials", &path, token, empty_object);
        if !op.path_params().is_empty() {
            let malformed = concrete_path(doc, &op, true);
            call(&op, "malformed path id", &malformed, token, empty_object);
        }
        if op.has_body() {
            let cases: [(&str, &str, &[u8]); 5] = [
                ("wrong content type", "text/plain", b"{}"),
                ("malformed body", "application/json", b"{"),
                ("empty body", "application/json", b""),
                ("empty object", "application/json", b"{}"),
                (
                    "unknown field",
                    "application/json",
                    br#"{"no_such_field": true}"#,
                ),
            ];
            for (case, media_type, body) in cases {
                call(&op, case, &path, token, Some((media_type, body)));
            }
        }
    }
    (calls, failures)
}

#[test]
fn every_operation_answers_only_statuses_it_documents() {
    // A manual clock, so that POST /api/v1/admin/clock is served rather than a 404.
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-11-21T09:00:00Z")]);
    let doc = app.get_as("/openapi.json", None).json();
    let credentials = Credentials {
        jwt: app.issue_token(&["admin", "agent"], "walker", "1h"),
        integration_key: app
            .register_integration(&json!({"name": "openapi walk", "kind": "generic"})),
    };
    let operations = operations(&doc);
    assert!(operations.len() >= 30, "{} operations", operations.len());
    let (calls, failures) = walk(&app, &doc, &credentials);
    assert!(calls > 100, "{calls} calls: is every operation walked?");
    assert!(
        failures.is_empty(),
        "{} of {calls} answers do not match the document:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_documented_error_is_a_problem_document() {
    let app = spawn_app_with(&[]);
    let doc = app.get_as("/openapi.json", None).json();
    let problem_ref = "#/components/schemas/ProblemDetails";
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ProblemDetails"]["properties"]["detail"].is_object(),
        "the RFC 9457 document is ProblemDetails"
    );
    for op in operations(&doc) {
        for (status, response) in op.op["responses"].as_object().unwrap() {
            if !status.starts_with('4') {
                continue;
            }
            assert_eq!(
                response["content"][PROBLEM_JSON]["schema"]["$ref"],
                problem_ref,
                "{} {status}: {response}",
                op.name()
            );
        }
    }
}

#[test]
fn the_problem_endpoints_answer_itil_problems_not_error_documents() {
    let app = spawn_app_with(&[]);
    let doc = app.get_as("/openapi.json", None).json();
    let ok_schema = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    let one = ok_schema("/api/v1/problems/{id}");
    let list = ok_schema("/api/v1/problems");
    assert_eq!(one["$ref"], "#/components/schemas/Problem", "{one}");
    assert_eq!(list["type"], "array", "{list}");
    assert_eq!(
        list["items"]["$ref"], "#/components/schemas/Problem",
        "{list}"
    );
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    for field in ["id", "status", "title", "incidents", "recurrence_key"] {
        assert!(problem[field].is_object(), "Problem has {field}: {problem}");
    }
    assert!(
        problem["detail"].is_null() && problem["type"].is_null(),
        "Problem is the ITIL problem, not RFC 9457's document: {problem}"
    );
}
