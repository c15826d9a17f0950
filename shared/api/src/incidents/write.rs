use super::dto::{
    AssignRequest, CommentRequest, CreateIncidentRequest, LinkRequest, TransitionRequest,
    UpdateIncidentRequest,
};
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, patch, post, web, HttpResponse, HttpResponseBuilder};
use servicedesk_domain::incident::{
    AddComment, Incident, IncidentCommand, IncidentId, LinkIncident, LinkKind,
};

/// The incident with its ETag, and its SLA timers as of `now`.
pub(crate) fn incident_response(
    mut builder: HttpResponseBuilder,
    incident: &Incident,
    now: chrono::DateTime<chrono::Utc>,
) -> HttpResponse {
    builder
        .insert_header((header::ETAG, format!("\"{}\"", incident.version)))
        .json(super::sla::document(incident, now))
}

fn respond(state: &AppState, incident: Incident) -> HttpResponse {
    incident_response(HttpResponse::Ok(), &incident, state.app.clock.now())
}

/// Puts the incident on the SLA its customer and service now call for, if that changed.
async fn apply_sla(
    state: &AppState,
    caller: &Caller,
    correlation: CorrelationId,
    incident: Incident,
) -> Result<Incident, ApiError> {
    let applicable = state
        .app
        .applicable_sla(incident.customer.clone(), incident.service.clone())
        .await?;
    let current = incident.sla.as_ref().map(|sla| &sla.applied);
    match applicable {
        Some(applied) if current != Some(&applied) => {
            execute(
                state,
                caller,
                incident.id,
                IfMatch(None),
                correlation,
                IncidentCommand::ApplySla(applied),
            )
            .await
        }
        _ => Ok(incident),
    }
}

fn incident_id(text: &str) -> Result<IncidentId, ApiError> {
    uuid_param("id", text).map(IncidentId)
}

/// Open an incident. Priority follows from impact and urgency through the priority matrix.
#[utoipa::path(
    tag = "incidents",
    request_body = CreateIncidentRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = Incident, headers(("ETag" = String), ("Location" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/incidents")]
pub async fn create_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<CreateIncidentRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = IncidentId(state.app.ids.next());
    let command = body.0.into_command(id, &caller.subject)?;
    let incident = execute(
        &state,
        &caller,
        id,
        IfMatch(None),
        correlation,
        IncidentCommand::Open(command),
    )
    .await?;
    let incident = apply_sla(&state, &caller, correlation, incident).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/incidents/{id}")));
    Ok(incident_response(created, &incident, state.app.clock.now()))
}

/// Change descriptive fields (`null` clears an optional one). Impact or urgency re-derive the priority.
#[utoipa::path(
    tag = "incidents",
    request_body = UpdateIncidentRequest,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[patch("/api/v1/incidents/{id}")]
pub async fn update_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<UpdateIncidentRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = incident_id(&path)?;
    let command = IncidentCommand::Update(body.0.into_command()?);
    let updated = execute(&state, &caller, id, if_match, correlation, command).await?;
    // A new customer or service may mean another contract; the time run is kept.
    let updated = apply_sla(&state, &caller, correlation, updated).await?;
    Ok(respond(&state, updated))
}

/// Assign to a group and/or a person. A new incident becomes assigned.
#[utoipa::path(
    tag = "incidents",
    request_body = AssignRequest,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/incidents/{id}/assign")]
pub async fn assign_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<AssignRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = incident_id(&path)?;
    let command = IncidentCommand::Assign(body.0.into_command()?);
    Ok(respond(
        &state,
        execute(&state, &caller, id, if_match, correlation, command).await?,
    ))
}

/// Move to another status. A refused move is a 409 whose `allowed_transitions` lists the
/// statuses reachable from the current one.
#[utoipa::path(
    tag = "incidents",
    request_body = TransitionRequest,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/incidents/{id}/transitions")]
pub async fn transition_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<TransitionRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = incident_id(&path)?;
    let command = IncidentCommand::ChangeStatus(body.0.into_command(&caller.subject)?);
    Ok(respond(
        &state,
        execute(&state, &caller, id, if_match, correlation, command).await?,
    ))
}

/// Add a customer-visible comment or an internal work note.
#[utoipa::path(
    tag = "incidents",
    request_body = CommentRequest,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses(
        (status = 201, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/incidents/{id}/comments")]
pub async fn comment_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = incident_id(&path)?;
    let command = IncidentCommand::AddComment(AddComment {
        comment_id: uuid::Uuid::now_v7(),
        visibility: body.0.visibility,
        body: body.0.validated_body()?,
        author: caller.subject.clone(),
    });
    let incident = execute(&state, &caller, id, if_match, correlation, command).await?;
    Ok(incident_response(
        HttpResponse::Created(),
        &incident,
        state.app.clock.now(),
    ))
}

/// Link to another incident: parent, child, duplicate_of or related.
#[utoipa::path(
    tag = "incidents",
    request_body = LinkRequest,
    params(("id" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/incidents/{id}/links")]
pub async fn link_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<LinkRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let id = incident_id(&path)?;
    let target = IncidentId(body.0.target);
    if target != id
        && state
            .app
            .store
            .read_stream(&target.stream(), 0, 1)
            .await?
            .is_empty()
    {
        return Err(ApiError::invalid_field(
            "target",
            format!("no incident {target}"),
        ));
    }
    let command = IncidentCommand::Link(LinkIncident {
        kind: body.0.kind,
        target,
    });
    Ok(respond(
        &state,
        execute(&state, &caller, id, if_match, correlation, command).await?,
    ))
}

/// Remove a link.
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path), ("kind" = LinkKind, Path), ("target" = uuid::Uuid, Path), ("If-Match" = Option<String>, Header)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PreconditionFailed, errors::Unavailable,
    )
)]
#[delete("/api/v1/incidents/{id}/links/{kind}/{target}")]
pub async fn unlink_incident(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<(String, String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::WRITE_TICKETS)?;
    let (id, kind, target) = path.into_inner();
    let id = incident_id(&id)?;
    let kind: LinkKind =
        serde_json::from_value(serde_json::Value::String(kind.clone())).map_err(|_| {
            ApiError::malformed(format!(
                "kind must be parent, child, duplicate_of or related, not {kind:?}"
            ))
        })?;
    let target = IncidentId(uuid_param("target", &target)?);
    let command = IncidentCommand::Unlink(LinkIncident { kind, target });
    Ok(respond(
        &state,
        execute(&state, &caller, id, if_match, correlation, command).await?,
    ))
}
