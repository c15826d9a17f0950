use super::scope::{bad, ScopeParts};
use crate::auth::{permission, Caller};
use crate::error::{responses as errors, ApiError};
use crate::query_string::query_pairs;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use servicedesk_domain::sla::report::SlaReport;
use utoipa::IntoParams;

/// Documentation of the report's parameters (parsed by [`ScopeParts`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SlaReportParams {
    /// Required: the period's first instant (RFC 3339) or date (midnight UTC).
    from: String,
    /// Required: the instant or date after the period.
    to: String,
    customer: Option<String>,
    service: Option<String>,
    /// Comma-separated or repeated: P1..P5.
    priority: Option<String>,
    /// customer, service or priority: figures per value besides the totals.
    group_by: Option<String>,
    /// Breaches listed (all are counted): 0..10000, default 100.
    breach_limit: Option<usize>,
    /// For `Accept: text/csv`: `figures` (default, a row per group) or `breaches`.
    part: Option<String>,
}

/// SLA compliance (targets met in time over targets settled in the period), breaches with
/// links, MTTA and MTTR in business and wall-clock time, and the backlog by age. JSON, or CSV
/// for `Accept: text/csv`. A target counts in the period it was settled in: when it was met,
/// if in time; when its time ran out, if not.
#[utoipa::path(
    tag = "reports",
    params(SlaReportParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = SlaReport, description = "JSON; CSV (`text/csv`) when asked for"),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/reports/sla")]
pub async fn sla_report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let mut parts = ScopeParts::default();
    let mut part = None;
    for (key, value) in query_pairs(req.query_string())? {
        if key == "part" {
            part = Some(value);
            continue;
        }
        if !parts.take(&key, value.trim())? {
            return Err(bad(
                &key,
                "unknown query parameter; known: from, to, customer, service, priority, group_by, breach_limit, part",
            ));
        }
    }
    let scope = parts.scope(state.app.clock.now())?;
    let db = state.app.read_models.clone();
    let report = web::block(move || db.sla_report(&scope))
        .await
        .map_err(ApiError::internal)??;
    if !wants_csv(&req) {
        return Ok(HttpResponse::Ok().json(report));
    }
    let body = match part.as_deref() {
        None | Some("figures") => super::csv::figures(&report),
        Some("breaches") => super::csv::breaches(&report),
        Some(other) => {
            return Err(bad(
                "part",
                format!("unknown part {other:?}; figures or breaches"),
            ))
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(body))
}

fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/csv"))
}
