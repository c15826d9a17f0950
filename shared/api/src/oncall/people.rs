use super::validation;
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, PersonView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use servicedesk_domain::catalog::Spec;
use servicedesk_domain::people::person::{PersonCommand, PersonDoc, PersonId, PersonSpec};

/// Define a person: `id` is the `sub` of their token; contact methods are checked by format.
#[utoipa::path(
    tag = "people",
    request_body = PersonSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = PersonView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::Conflict,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
        errors::Unavailable,
    )
)]
#[post("/api/v1/people")]
pub async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<PersonSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let spec = body.0;
    spec.validate().map_err(validation)?;
    let id = PersonId::of_sub(&spec.id);
    let location = format!("/api/v1/people/{}", spec.id);
    let command = PersonCommand::Define { id, spec };
    let person: PersonDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        PersonView::from(person),
        Some(location),
    ))
}

/// Every person, by name.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PersonView>), errors::Unauthorized, errors::Forbidden)
)]
#[get("/api/v1/people")]
pub async fn list_people(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.people())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(PersonView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "people",
    params(("id" = String, Path, description = "the person's token sub")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let sub = path.into_inner();
    let db = state.app.read_models.clone();
    let id = PersonId::of_sub(&sub);
    let person = web::block(move || db.person(id))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::NotFound(format!("no person {sub:?}")))?;
    Ok(entry(StatusCode::OK, PersonView::from(person), None))
}

/// Replace the person's name, zone and contacts (send `If-Match`); the id stays.
#[utoipa::path(
    tag = "people",
    request_body = PersonSpec,
    params(("id" = String, Path, description = "the person's token sub")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/people/{id}")]
pub async fn replace_person(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<PersonSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let sub = path.into_inner();
    let spec = body.0;
    if spec.id != sub {
        return Err(ApiError::invalid_field(
            "id",
            format!(
                "the id is the token's sub and cannot change: the path says {sub:?}, the body {:?}",
                spec.id
            ),
        ));
    }
    spec.validate().map_err(validation)?;
    let command = PersonCommand::Change { spec };
    let person: PersonDoc = execute(
        &state,
        &caller,
        PersonId::of_sub(&sub),
        if_match,
        correlation,
        command,
    )
    .await?;
    Ok(entry(StatusCode::OK, PersonView::from(person), None))
}
