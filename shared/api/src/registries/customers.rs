use super::{path_slug, validation};
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, CustomerView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use servicedesk_domain::catalog::Spec;
use servicedesk_domain::customer::{CustomerCommand, CustomerDoc, CustomerId, CustomerSpec};

/// The spec's own shape, then its calendar must exist.
async fn check(state: &AppState, spec: &CustomerSpec) -> Result<(), ApiError> {
    spec.validate().map_err(validation)?;
    crate::calendars::require_calendar(state, spec.calendar).await?;
    Ok(())
}

/// Register a customer under the slug their tickets carry; a calendar of their own overrides
/// the contract's for their tickets (their holidays, their time zone).
#[utoipa::path(
    tag = "customers",
    request_body = CustomerSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CustomerView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::Conflict,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
        errors::Unavailable,
    )
)]
#[post("/api/v1/customers")]
pub async fn create_customer(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<CustomerSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let spec = body.0;
    check(&state, &spec).await?;
    let id = CustomerId::of_slug(&spec.slug);
    let location = format!("/api/v1/customers/{}", spec.slug);
    let command = CustomerCommand::Define { id, spec };
    let customer: CustomerDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        CustomerView::from(customer),
        Some(location),
    ))
}

/// Every customer, by name.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CustomerView>), errors::Unauthorized, errors::Forbidden)
)]
#[get("/api/v1/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.customers())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(CustomerView::from).collect::<Vec<_>>()))
}

pub(crate) async fn load_customer(
    state: &AppState,
    slug: &str,
) -> Result<Option<CustomerDoc>, ApiError> {
    let db = state.app.read_models.clone();
    let id = CustomerId::of_slug(slug);
    Ok(web::block(move || db.customer(id))
        .await
        .map_err(ApiError::internal)??)
}

#[utoipa::path(
    tag = "customers",
    params(("slug" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CustomerView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/customers/{slug}")]
pub async fn get_customer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let slug = path_slug(&path, None)?;
    let customer = load_customer(&state, &slug)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no customer {slug}")))?;
    Ok(entry(StatusCode::OK, CustomerView::from(customer), None))
}

/// Replace the customer's name, calendar and contact (send `If-Match` with the version you
/// edited); the slug stays.
#[utoipa::path(
    tag = "customers",
    request_body = CustomerSpec,
    params(("slug" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CustomerView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/customers/{slug}")]
pub async fn replace_customer(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<CustomerSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let spec = body.0;
    let slug = path_slug(&path, Some(&spec.slug))?;
    check(&state, &spec).await?;
    let command = CustomerCommand::Change { spec };
    let customer: CustomerDoc = execute(
        &state,
        &caller,
        CustomerId::of_slug(&slug),
        if_match,
        correlation,
        command,
    )
    .await?;
    Ok(entry(StatusCode::OK, CustomerView::from(customer), None))
}
