use super::{path_slug, validation};
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, ServiceView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use servicedesk_domain::catalog::Spec;
use servicedesk_domain::service::{ServiceCommand, ServiceDoc, ServiceId, ServiceSpec};

fn check(spec: &ServiceSpec) -> Result<(), ApiError> {
    spec.validate().map_err(validation)
}

/// Register a business service under the slug tickets carry.
#[utoipa::path(
    tag = "services",
    request_body = ServiceSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ServiceView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::Conflict,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
        errors::Unavailable,
    )
)]
#[post("/api/v1/services")]
pub async fn create_service(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<ServiceSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let spec = body.0;
    check(&spec)?;
    let id = ServiceId::of_slug(&spec.slug);
    let location = format!("/api/v1/services/{}", spec.slug);
    let command = ServiceCommand::Define { id, spec };
    let service: ServiceDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        ServiceView::from(service),
        Some(location),
    ))
}

/// Every business service, by name.
#[utoipa::path(
    tag = "services",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ServiceView>), errors::Unauthorized, errors::Forbidden)
)]
#[get("/api/v1/services")]
pub async fn list_services(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.services())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(ServiceView::from).collect::<Vec<_>>()))
}

pub(crate) async fn load_service(
    state: &AppState,
    slug: &str,
) -> Result<Option<ServiceDoc>, ApiError> {
    let db = state.app.read_models.clone();
    let id = ServiceId::of_slug(slug);
    Ok(web::block(move || db.service(id))
        .await
        .map_err(ApiError::internal)??)
}

#[utoipa::path(
    tag = "services",
    params(("slug" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ServiceView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/services/{slug}")]
pub async fn get_service(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let slug = path_slug(&path, None)?;
    let service = load_service(&state, &slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no service {slug}")))?;
    Ok(entry(StatusCode::OK, ServiceView::from(service), None))
}

/// Replace the service's name and description (send `If-Match` with the version you
/// edited); the slug stays.
#[utoipa::path(
    tag = "services",
    request_body = ServiceSpec,
    params(("slug" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ServiceView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/services/{slug}")]
pub async fn replace_service(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<ServiceSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let spec = body.0;
    let slug = path_slug(&path, Some(&spec.slug))?;
    check(&spec)?;
    let command = ServiceCommand::Change { spec };
    let service: ServiceDoc = execute(
        &state,
        &caller,
        ServiceId::of_slug(&slug),
        if_match,
        correlation,
        command,
    )
    .await?;
    Ok(entry(StatusCode::OK, ServiceView::from(service), None))
}
