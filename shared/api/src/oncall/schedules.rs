use super::{require_people, validation};
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, ScheduleView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch, ValidJson};
use crate::query_string::query_pairs;
use crate::reports::instant_param;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use servicedesk_domain::oncall::{
    shifts_ics, OnCall, ScheduleCommand, ScheduleDoc, ScheduleId, ScheduleSpec, Shift,
    MAX_SHIFT_DAYS,
};
use utoipa::ToSchema;

async fn check(state: &AppState, spec: &ScheduleSpec) -> Result<(), ApiError> {
    spec.validate().map_err(validation)?;
    let named = spec
        .people()
        .into_iter()
        .map(|(field, person)| (field, person.to_owned()))
        .collect();
    require_people(state, named).await
}

async fn load(state: &AppState, text: &str) -> Result<ScheduleDoc, ApiError> {
    let id = ScheduleId(uuid_param("id", text)?);
    let db = state.app.read_models.clone();
    web::block(move || db.schedule(id))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::NotFound(format!("no schedule {id}")))
}

/// Define an on-call schedule: layers of daily or weekly rotations handing off at a local
/// time of its zone, a layer only on some weekdays or holidays, and overrides.
#[utoipa::path(
    tag = "schedules",
    request_body = ScheduleSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ScheduleView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/schedules")]
pub async fn create_schedule(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<ScheduleSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let spec = body.0;
    check(&state, &spec).await?;
    let id = ScheduleId(state.app.ids.next());
    let command = ScheduleCommand::Define { id, spec };
    let schedule: ScheduleDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        ScheduleView::from(schedule),
        Some(format!("/api/v1/schedules/{id}")),
    ))
}

/// Every schedule, by name.
#[utoipa::path(
    tag = "schedules",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ScheduleView>), errors::Unauthorized, errors::Forbidden)
)]
#[get("/api/v1/schedules")]
pub async fn list_schedules(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.schedules())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(ScheduleView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "schedules",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ScheduleView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/schedules/{id}")]
pub async fn get_schedule(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let schedule = load(&state, &path).await?;
    Ok(entry(StatusCode::OK, ScheduleView::from(schedule), None))
}

/// Replace the schedule (send `If-Match` with the version you edited).
#[utoipa::path(
    tag = "schedules",
    request_body = ScheduleSpec,
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ScheduleView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/schedules/{id}")]
pub async fn replace_schedule(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<ScheduleSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = ScheduleId(uuid_param("id", &path)?);
    let spec = body.0;
    check(&state, &spec).await?;
    let command = ScheduleCommand::Change { spec };
    let schedule: ScheduleDoc =
        execute(&state, &caller, id, if_match, correlation, command).await?;
    Ok(entry(StatusCode::OK, ScheduleView::from(schedule), None))
}

/// Who is on call at an instant.
#[derive(Debug, Serialize, ToSchema)]
pub struct OnCallAnswer {
    pub at: DateTime<Utc>,
    /// None: nobody (before the rotations start, or outside every layer's days).
    pub on_call: Option<OnCall>,
}

/// Who is on call at `at` (RFC 3339; default now).
#[utoipa::path(
    tag = "schedules",
    params(("id" = uuid::Uuid, Path), ("at" = Option<String>, Query, description = "RFC 3339; default now")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = OnCallAnswer),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/schedules/{id}/oncall")]
pub async fn schedule_oncall(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let doc = load(&state, &path).await?;
    let mut at = state.app.clock.now();
    for (key, value) in query_pairs(req.query_string())? {
        match key.as_str() {
            "at" => at = instant_param("at", &value)?,
            other => return Err(crate::reports::unknown_param(other, "at")),
        }
    }
    let schedule = doc.spec.validate().map_err(validation)?;
    Ok(HttpResponse::Ok().json(OnCallAnswer {
        at,
        on_call: schedule.on_call(at),
    }))
}

/// The period and its shifts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftList {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub shifts: Vec<Shift>,
}

fn period(
    req: &HttpRequest,
    default: (DateTime<Utc>, DateTime<Utc>),
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let (mut from, mut to) = (None, None);
    for (key, value) in query_pairs(req.query_string())? {
        match key.as_str() {
            "from" => from = Some(instant_param("from", &value)?),
            "to" => to = Some(instant_param("to", &value)?),
            other => return Err(crate::reports::unknown_param(other, "from, to")),
        }
    }
    let (from, to) = (from.unwrap_or(default.0), to.unwrap_or(default.1));
    if to <= from {
        return Err(crate::reports::bad_param("to", "must be after from"));
    }
    if to - from > Duration::days(MAX_SHIFT_DAYS) {
        return Err(crate::reports::bad_param(
            "to",
            &format!("at most {MAX_SHIFT_DAYS} days after from"),
        ));
    }
    Ok((from, to))
}

/// The shifts in `[from, to)` (default: the next 14 days), at most 400 days.
#[utoipa::path(
    tag = "schedules",
    params(("id" = uuid::Uuid, Path), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = ShiftList),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/schedules/{id}/shifts")]
pub async fn schedule_shifts(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let doc = load(&state, &path).await?;
    let now = state.app.clock.now();
    let (from, to) = period(&req, (now, now + Duration::days(14)))?;
    let schedule = doc.spec.validate().map_err(validation)?;
    Ok(HttpResponse::Ok().json(ShiftList {
        from,
        to,
        shifts: schedule.shifts(from, to),
    }))
}

/// The shifts as an iCalendar feed (default: a week back to 60 days ahead), for people's
/// calendars.
#[utoipa::path(
    tag = "schedules",
    params(("id" = uuid::Uuid, Path), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "text/calendar", body = String),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/schedules/{id}/calendar.ics")]
pub async fn schedule_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let doc = load(&state, &path).await?;
    let now = state.app.clock.now();
    let (from, to) = period(&req, (now - Duration::days(7), now + Duration::days(60)))?;
    let schedule = doc.spec.validate().map_err(validation)?;
    let shifts = schedule.shifts(from, to);
    let db = state.app.read_models.clone();
    let names = web::block(move || {
        let people = db.people()?;
        Ok::<_, servicedesk_projections::ProjectionError>(
            people
                .into_iter()
                .map(|p| (p.spec.id, p.spec.name))
                .collect::<std::collections::HashMap<_, _>>(),
        )
    })
    .await
    .map_err(ApiError::internal)??;
    let body = shifts_ics(doc.id.0, &doc.spec.name, &shifts, |id| {
        names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    });
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(body))
}
