use super::{require_people, validation};
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, GroupView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use servicedesk_domain::catalog::Spec;
use servicedesk_domain::people::group::{GroupCommand, GroupDoc, GroupId, GroupSpec};

async fn check(state: &AppState, spec: &GroupSpec) -> Result<(), ApiError> {
    spec.validate().map_err(validation)?;
    let named = spec
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("members[{i}]"), m.clone()))
        .collect();
    require_people(state, named).await
}

/// Define a group of people under the slug tickets carry in `assignment_group`.
#[utoipa::path(
    tag = "people",
    request_body = GroupSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = GroupView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::Conflict,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
        errors::Unavailable,
    )
)]
#[post("/api/v1/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<GroupSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let spec = body.0;
    check(&state, &spec).await?;
    let id = GroupId::of_slug(&spec.slug);
    let location = format!("/api/v1/groups/{}", spec.slug);
    let command = GroupCommand::Define { id, spec };
    let group: GroupDoc = execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        GroupView::from(group),
        Some(location),
    ))
}

/// Every group, by name.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<GroupView>), errors::Unauthorized, errors::Forbidden)
)]
#[get("/api/v1/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.groups())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(GroupView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "people",
    params(("slug" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = GroupView, headers(("ETag" = String))),
        errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/groups/{slug}")]
pub async fn get_group(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let slug = path.into_inner();
    let db = state.app.read_models.clone();
    let id = GroupId::of_slug(&slug);
    let group = web::block(move || db.group(id))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::NotFound(format!("no group {slug:?}")))?;
    Ok(entry(StatusCode::OK, GroupView::from(group), None))
}

/// Replace the group's name and members (send `If-Match`); the slug stays.
#[utoipa::path(
    tag = "people",
    request_body = GroupSpec,
    params(("slug" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = GroupView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/groups/{slug}")]
pub async fn replace_group(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<GroupSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let slug = path.into_inner();
    let spec = body.0;
    if spec.slug != slug {
        return Err(ApiError::invalid_field(
            "slug",
            format!(
                "the slug is the key and cannot change: the path says {slug:?}, the body {:?}",
                spec.slug
            ),
        ));
    }
    check(&state, &spec).await?;
    let command = GroupCommand::Change { spec };
    let group: GroupDoc = execute(
        &state,
        &caller,
        GroupId::of_slug(&slug),
        if_match,
        correlation,
        command,
    )
    .await?;
    Ok(entry(StatusCode::OK, GroupView::from(group), None))
}
