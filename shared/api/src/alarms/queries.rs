//! Reading alarms: the active and recent ones, and those of one fingerprint.

use crate::auth::{permission, Caller};
use crate::error::{responses as errors, ApiError};
use crate::incidents::query_pairs;
use crate::state::AppState;
use actix_web::{get, web, HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use servicedesk_alarm_formats::{AlarmStatus, Severity};
use servicedesk_domain::alarm::Alarm;
use servicedesk_projections::AlarmFilter;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AlarmList {
    pub items: Vec<Alarm>,
    pub next_cursor: Option<String>,
}

/// Alarms, the most recently changed first: raised, resolved, acknowledged, severity or flapping
/// changed, linked to an incident. Repeats raise `occurrences` and `last_seen` but do not move an
/// alarm up, so a steady stream of repeats leaves the order readable. Filters: `status` (firing, resolved, acknowledged),
/// `severity`, `host`; `limit` (1..500, default 50) and `cursor`.
#[utoipa::path(
    tag = "alarms",
    params(
        ("status" = Option<String>, Query), ("severity" = Option<String>, Query), ("host" = Option<String>, Query),
        ("limit" = Option<usize>, Query), ("cursor" = Option<String>, Query),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AlarmList),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/alarms")]
pub async fn list_alarms(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let mut filter = AlarmFilter::default();
    let mut limit = 50;
    for (key, value) in query_pairs(req.query_string())? {
        match key.as_str() {
            "status" => {
                AlarmStatus::from_name(&value)
                    .ok_or_else(|| bad("status", "one of firing, resolved, acknowledged"))?;
                filter.status = Some(value);
            }
            "severity" => {
                Severity::from_name(&value)
                    .ok_or_else(|| bad("severity", "one of critical, error, warning, info"))?;
                filter.severity = Some(value);
            }
            "host" => filter.host = Some(value),
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| bad("limit", "a whole number from 1 to 500"))?
            }
            "cursor" => {
                filter.before = Some(
                    decode_cursor(&value)
                        .ok_or_else(|| bad("cursor", "not a cursor this server issued"))?,
                )
            }
            other => {
                return Err(bad(
                    other,
                    "unknown query parameter; known: status, severity, host, limit, cursor",
                ))
            }
        }
    }
    respond(&state, filter, limit).await
}

/// The alarms with this fingerprint (one per integration that reported it), with their
/// occurrence counts and the incidents they caused.
#[utoipa::path(
    tag = "alarms",
    params(("fingerprint" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = AlarmList),
        errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/alarms/{fingerprint}")]
pub async fn get_alarm(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let fingerprint = path.into_inner();
    let filter = AlarmFilter {
        fingerprint: Some(fingerprint.clone()),
        ..AlarmFilter::default()
    };
    let db = state.app.read_models.clone();
    let (docs, _) = web::block(move || db.list_alarms(&filter, 100))
        .await
        .map_err(ApiError::internal)??;
    if docs.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no alarm with fingerprint {fingerprint:?}"
        )));
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(page(&docs, None)))
}

async fn respond(
    state: &AppState,
    filter: AlarmFilter,
    limit: usize,
) -> Result<HttpResponse, ApiError> {
    let db = state.app.read_models.clone();
    let (docs, last) = web::block(move || db.list_alarms(&filter, limit))
        .await
        .map_err(ApiError::internal)??;
    let cursor = last.map(|(seen, id)| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{seen}|{id}"))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(page(&docs, cursor)))
}

fn page(docs: &[String], cursor: Option<String>) -> String {
    let cursor = cursor.map_or("null".to_owned(), |c| format!("\"{c}\""));
    format!(
        "{{\"items\":[{}],\"next_cursor\":{cursor}}}",
        docs.join(",")
    )
}

fn decode_cursor(text: &str) -> Option<(i64, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (seen, id) = text.split_once('|')?;
    uuid::Uuid::parse_str(id).ok()?;
    Some((seen.parse().ok()?, id.to_owned()))
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError::Malformed {
        detail: format!("{field}: {message}"),
        errors: vec![servicedesk_domain::FieldError::new(field, message)],
    }
}
