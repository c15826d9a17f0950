//! `/api/v1/notifications`: every ticket's notifications by status (the failed-delivery queue),
//! and a retry by the notification's id alone.

use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch};
use crate::query_string::query_pairs;
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use servicedesk_domain::incident::{
    Incident, IncidentCommand, NotificationState, NotificationStatus,
};
use servicedesk_domain::FieldError;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

fn bad(field: &str, message: String) -> ApiError {
    ApiError::Malformed {
        detail: format!("{field}: {message}"),
        errors: vec![FieldError::new(field, message)],
    }
}

/// Notifications of every ticket, newest first: `status` (queued, sent, failed, dead), `limit`.
#[utoipa::path(
    tag = "incidents",
    params(("status" = Option<String>, Query), ("limit" = Option<usize>, Query)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<NotificationState>, description = "each with its `incident`"),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/notifications")]
pub async fn list_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let mut status = None;
    let mut limit = DEFAULT_LIMIT;
    for (key, value) in query_pairs(req.query_string())? {
        match key.as_str() {
            "status" => {
                status = Some(NotificationStatus::parse(&value).ok_or_else(|| {
                    bad(
                        "status",
                        format!(
                            "unknown status {value:?}; one of {}",
                            NotificationStatus::NAMES.join(", ")
                        ),
                    )
                })?)
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad("limit", format!("a whole number from 1 to {MAX_LIMIT}")))?
            }
            other => {
                return Err(bad(
                    other,
                    "unknown query parameter; known: status, limit".to_owned(),
                ))
            }
        }
    }
    let db = state.app.read_models.clone();
    let docs = web::block(move || db.notifications(status, limit))
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(format!("[{}]", docs.join(","))))
}

/// Send a failed or dead-lettered notification again.
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/notifications/{id}/retry")]
pub async fn retry_any_notification(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = uuid_param("id", &path)?;
    let db = state.app.read_models.clone();
    let incident = web::block(move || db.notification_incident(id))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::NotFound(format!("no notification {id}")))?;
    let command = IncidentCommand::RetryNotification {
        id,
        by: caller.subject.clone(),
    };
    let incident: Incident = execute(
        &state,
        &caller,
        incident,
        IfMatch(None),
        correlation,
        command,
    )
    .await?;
    Ok(super::write::incident_response(
        HttpResponse::Ok(),
        &incident,
        state.app.clock.now(),
    ))
}
