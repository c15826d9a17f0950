//! A ticket's notifications: every one queued, sent, failed or dead-lettered, and a person's
//! retry of a failed one.

use super::write::incident_response;
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use servicedesk_domain::incident::{Incident, IncidentCommand, IncidentId, NotificationState};

/// The ticket's notifications, oldest first, with how each stands.
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<NotificationState>),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Unavailable,
    )
)]
#[get("/api/v1/incidents/{id}/notifications")]
pub async fn incident_notifications(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = IncidentId(uuid_param("id", &path)?);
    let incident = state
        .app
        .load::<Incident>(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no incident {id}")))?;
    Ok(HttpResponse::Ok().json(incident.notifications))
}

/// Send a failed or dead-lettered notification again (at once, then by the retry policy).
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path), ("notification" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/incidents/{id}/notifications/{notification}/retry")]
pub async fn retry_notification(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let (incident, notification) = path.into_inner();
    let id = IncidentId(uuid_param("id", &incident)?);
    let command = IncidentCommand::RetryNotification {
        id: uuid_param("notification", &notification)?,
        by: caller.subject.clone(),
    };
    let incident: Incident =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(incident_response(
        HttpResponse::Ok(),
        &incident,
        state.app.clock.now(),
    ))
}
