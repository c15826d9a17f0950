use super::dto::{
    valid_defaults, valid_name, ChangeIntegrationRequest, IntegrationView, IntegrationWithKey,
    RegisterIntegrationRequest,
};
use super::key;
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use servicedesk_domain::integration::{Integration, IntegrationCommand, IntegrationId};

fn integration_id(text: &str) -> Result<IntegrationId, ApiError> {
    uuid_param("id", text).map(IntegrationId)
}

/// Register a monitoring source. The answer holds its key, shown this once.
#[utoipa::path(
    tag = "integrations",
    request_body = RegisterIntegrationRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = IntegrationWithKey, headers(("Location" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/integrations")]
pub async fn register_integration(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<RegisterIntegrationRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let body = body.0;
    let id = IntegrationId(state.app.ids.next());
    let new_key = key::generate();
    let command = IntegrationCommand::Register {
        id,
        name: valid_name(&body.name)?,
        kind: body.kind,
        key_sha256: new_key.sha256,
        key_hint: new_key.hint,
        defaults: valid_defaults(body.defaults)?,
        rules: body.rules,
    };
    let integration: Integration =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/integrations/{id}")))
        .json(IntegrationWithKey {
            integration: integration.into(),
            key: new_key.key,
        }))
}

/// Every registered integration, revoked ones included.
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<IntegrationView>),
        errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/integrations")]
pub async fn list_integrations(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.integrations())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(
        all.into_iter()
            .map(IntegrationView::from)
            .collect::<Vec<_>>(),
    ))
}

#[utoipa::path(
    tag = "integrations",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IntegrationView),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/integrations/{id}")]
pub async fn get_integration(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let id = integration_id(&path)?;
    let db = state.app.read_models.clone();
    let found = web::block(move || db.integration(id))
        .await
        .map_err(ApiError::internal)??;
    let integration = found.ok_or_else(|| ApiError::NotFound(format!("no integration {id}")))?;
    Ok(HttpResponse::Ok().json(IntegrationView::from(integration)))
}

/// Rename, or change defaults or alarm rules (a `rules` object replaces the rules whole).
#[utoipa::path(
    tag = "integrations",
    request_body = ChangeIntegrationRequest,
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IntegrationView),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[patch("/api/v1/integrations/{id}")]
pub async fn change_integration(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
    body: ValidJson<ChangeIntegrationRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let id = integration_id(&path)?;
    let body = body.0;
    if body.name.is_none() && body.defaults.is_none() && body.rules.is_none() {
        return Err(ApiError::invalid_field(
            "body",
            "name at least one of name, defaults, rules",
        ));
    }
    let command = IntegrationCommand::Change {
        name: body.name.as_deref().map(valid_name).transpose()?,
        defaults: body.defaults.map(valid_defaults).transpose()?,
        rules: body.rules,
    };
    let integration: Integration =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(HttpResponse::Ok().json(IntegrationView::from(integration)))
}

/// Replace the key; the old one stops working at once. The new key is shown this once.
#[utoipa::path(
    tag = "integrations",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IntegrationWithKey),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::Unavailable,
    )
)]
#[post("/api/v1/integrations/{id}/rotate-key")]
pub async fn rotate_integration_key(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let id = integration_id(&path)?;
    let new_key = key::generate();
    let command = IntegrationCommand::RotateKey {
        key_sha256: new_key.sha256,
        key_hint: new_key.hint,
    };
    let integration: Integration =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(HttpResponse::Ok().json(IntegrationWithKey {
        integration: integration.into(),
        key: new_key.key,
    }))
}

/// Revoke: its key stops working; the record stays for history.
#[utoipa::path(
    tag = "integrations",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IntegrationView),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Conflict, errors::Unavailable,
    )
)]
#[delete("/api/v1/integrations/{id}")]
pub async fn revoke_integration(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let id = integration_id(&path)?;
    let integration: Integration = execute(
        &state,
        &caller,
        id,
        IfMatch(None),
        correlation,
        IntegrationCommand::Revoke { reason: None },
    )
    .await?;
    Ok(HttpResponse::Ok().json(IntegrationView::from(integration)))
}
