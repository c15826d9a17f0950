use crate::auth::{permission, Caller};
use crate::error::{responses as errors, ApiError};
use crate::extract::uuid_param;
use crate::incidents::query_pairs;
use crate::state::AppState;
use actix_web::{get, web, HttpRequest, HttpResponse};
use servicedesk_domain::problem::ProblemId;

/// Problems, newest first; `status` filters (new, investigating, known_error, resolved, closed).
#[utoipa::path(
    tag = "problems",
    params(("status" = Option<String>, Query), ("limit" = Option<usize>, Query)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<servicedesk_domain::problem::Problem>),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/problems")]
pub async fn list_problems(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let mut status = None;
    let mut limit = 50;
    for (key, value) in query_pairs(req.query_string())? {
        match key.as_str() {
            "status"
                if ["new", "investigating", "known_error", "resolved", "closed"]
                    .contains(&value.as_str()) =>
            {
                status = Some(value)
            }
            "status" => {
                return Err(ApiError::malformed(
                    "status: one of new, investigating, known_error, resolved, closed",
                ))
            }
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| ApiError::malformed("limit: a whole number from 1 to 500"))?
            }
            other => {
                return Err(ApiError::malformed(format!(
                    "unknown query parameter {other:?}; known: status, limit"
                )))
            }
        }
    }
    let db = state.app.read_models.clone();
    let docs = web::block(move || db.problem_docs(status.as_deref(), limit))
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(format!("[{}]", docs.join(","))))
}

#[utoipa::path(
    tag = "problems",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = servicedesk_domain::problem::Problem),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/problems/{id}")]
pub async fn get_problem(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = ProblemId(uuid_param("id", &path)?);
    let db = state.app.read_models.clone();
    let doc = web::block(move || db.problem_doc(id))
        .await
        .map_err(ApiError::internal)??;
    let doc = doc.ok_or_else(|| ApiError::NotFound(format!("no problem {id}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(doc))
}
