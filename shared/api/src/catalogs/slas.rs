use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, SlaView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use servicedesk_domain::sla::{SlaCommand, SlaDoc, SlaId, SlaSpec};

pub(crate) async fn load_sla(state: &AppState, id: SlaId) -> Result<Option<SlaDoc>, ApiError> {
    let db = state.app.read_models.clone();
    Ok(web::block(move || db.sla(id))
        .await
        .map_err(ApiError::internal)??)
}

/// Define an SLA: targets per ticket type and priority (respond, resolve, customer updates).
#[utoipa::path(
    tag = "slas",
    request_body = SlaSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = SlaView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/slas")]
pub async fn create_sla(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<SlaSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = SlaId(state.app.ids.next());
    let command = SlaCommand::Define { id, spec: body.0 };
    let sla: SlaDoc = execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        SlaView::from(sla),
        Some(format!("/api/v1/slas/{id}")),
    ))
}

/// Every SLA, by name.
#[utoipa::path(
    tag = "slas",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<SlaView>),
        errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/slas")]
pub async fn list_slas(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.slas())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(SlaView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "slas",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = SlaView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/slas/{id}")]
pub async fn get_sla(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = SlaId(uuid_param("id", &path)?);
    let sla = load_sla(&state, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no SLA {id}")))?;
    Ok(entry(StatusCode::OK, SlaView::from(sla), None))
}

/// Replace the SLA's definition (send `If-Match` with the version you edited). Tickets keep
/// the targets they were given; new tickets get the new ones.
#[utoipa::path(
    tag = "slas",
    request_body = SlaSpec,
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = SlaView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/slas/{id}")]
pub async fn replace_sla(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<SlaSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = SlaId(uuid_param("id", &path)?);
    let command = SlaCommand::Change { spec: body.0 };
    let sla: SlaDoc = execute(&state, &caller, id, if_match, correlation, command).await?;
    Ok(entry(StatusCode::OK, SlaView::from(sla), None))
}
