use super::dto::{DeadlineRequest, DeadlineView};
use crate::auth::{permission, Caller};
use crate::command::execute;
use crate::entry::{entry, CalendarView};
use crate::error::{responses as errors, ApiError};
use crate::extract::{uuid_param, CorrelationId, IfMatch, ValidJson};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use servicedesk_domain::calendar::{CalendarCommand, CalendarDoc, CalendarId, CalendarSpec};

fn calendar_id(text: &str) -> Result<CalendarId, ApiError> {
    uuid_param("id", text).map(CalendarId)
}

async fn load(state: &AppState, id: CalendarId) -> Result<CalendarDoc, ApiError> {
    let db = state.app.read_models.clone();
    web::block(move || db.calendar(id))
        .await
        .map_err(ApiError::internal)??
        .ok_or_else(|| ApiError::NotFound(format!("no calendar {id}")))
}

/// Refuses a definition (a contract's, a customer's) naming a calendar that does not exist.
pub(crate) async fn require_calendar(
    state: &AppState,
    calendar: Option<uuid::Uuid>,
) -> Result<(), ApiError> {
    let Some(id) = calendar else { return Ok(()) };
    match load(state, CalendarId(id)).await {
        Err(ApiError::NotFound(_)) => Err(ApiError::invalid_field(
            "calendar",
            format!("no calendar {id}"),
        )),
        other => other.map(|_| ()),
    }
}

/// Define a calendar: a time zone, weekly business hours (or `"24x7"`) and holidays.
#[utoipa::path(
    tag = "calendars",
    request_body = CalendarSpec,
    security(("bearer" = [])),
    responses(
        (status = 201, body = CalendarView, headers(("Location" = String), ("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/calendars")]
pub async fn create_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    body: ValidJson<CalendarSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = CalendarId(state.app.ids.next());
    let command = CalendarCommand::Define { id, spec: body.0 };
    let calendar: CalendarDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(
        StatusCode::CREATED,
        CalendarView::from(calendar),
        Some(format!("/api/v1/calendars/{id}")),
    ))
}

/// Every calendar, by name.
#[utoipa::path(
    tag = "calendars",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<CalendarView>),
        errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/calendars")]
pub async fn list_calendars(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let db = state.app.read_models.clone();
    let all = web::block(move || db.calendars())
        .await
        .map_err(ApiError::internal)??;
    Ok(HttpResponse::Ok().json(all.into_iter().map(CalendarView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "calendars",
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CalendarView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
    )
)]
#[get("/api/v1/calendars/{id}")]
pub async fn get_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let calendar = load(&state, calendar_id(&path)?).await?;
    Ok(entry(StatusCode::OK, CalendarView::from(calendar), None))
}

/// Replace the calendar's definition (send `If-Match` with the version you edited).
#[utoipa::path(
    tag = "calendars",
    request_body = CalendarSpec,
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CalendarView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PreconditionFailed, errors::PayloadTooLarge, errors::UnsupportedMediaType,
        errors::Unprocessable, errors::Unavailable,
    )
)]
#[put("/api/v1/calendars/{id}")]
pub async fn replace_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    if_match: IfMatch,
    path: web::Path<String>,
    body: ValidJson<CalendarSpec>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = calendar_id(&path)?;
    let command = CalendarCommand::Change { spec: body.0 };
    let calendar: CalendarDoc =
        execute(&state, &caller, id, if_match, correlation, command).await?;
    Ok(entry(StatusCode::OK, CalendarView::from(calendar), None))
}

/// When are N business seconds after `start` over, on this calendar?
#[utoipa::path(
    tag = "calendars",
    request_body = DeadlineRequest,
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = DeadlineView),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
    )
)]
#[post("/api/v1/calendars/{id}/deadline")]
pub async fn calendar_deadline(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: ValidJson<DeadlineRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = calendar_id(&path)?;
    let start = body.0.start.ok_or_else(|| {
        ApiError::invalid_field("start", "required: the instant to count from (RFC 3339)")
    })?;
    let seconds = match body.0.business_seconds {
        Some(n) if n >= 0 => n.unsigned_abs(),
        Some(n) => {
            return Err(ApiError::invalid_field(
                "business_seconds",
                format!("must not be negative, not {n}"),
            ))
        }
        None => {
            return Err(ApiError::invalid_field(
                "business_seconds",
                "required: how much business time to count",
            ))
        }
    };
    let doc = load(&state, id).await?;
    let calendar = doc.spec.validate().map_err(|errors| {
        ApiError::Internal(format!("calendar {id} no longer validates: {errors:?}"))
    })?;
    let due_at = calendar.deadline(start, seconds).ok_or_else(|| {
        ApiError::invalid_field(
            "business_seconds",
            "this calendar has too little business time for that in the next fifty years",
        )
    })?;
    Ok(HttpResponse::Ok().json(DeadlineView {
        due_at,
        start,
        business_seconds: seconds,
        elapsed_seconds: (due_at - start).num_seconds(),
    }))
}

/// Add the all-day holidays of an iCalendar file (`text/calendar`): dates, and yearly ones.
#[utoipa::path(
    tag = "calendars",
    request_body(content = String, content_type = "text/calendar"),
    params(("id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CalendarView, headers(("ETag" = String))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::PayloadTooLarge, errors::UnsupportedMediaType, errors::Unprocessable,
        errors::Unavailable,
    )
)]
#[post("/api/v1/calendars/{id}/holidays/import")]
pub async fn import_calendar_holidays(
    state: web::Data<AppState>,
    caller: Caller,
    correlation: CorrelationId,
    request: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::MANAGE_CONTRACTS)?;
    let id = calendar_id(&path)?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if content_type.as_deref() != Some("text/calendar") {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the iCalendar file as text/calendar, not {}",
            content_type.as_deref().unwrap_or("no Content-Type")
        )));
    }
    let ical = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::invalid_field("body", "the iCalendar file is not UTF-8"))?;
    let command = CalendarCommand::ImportHolidays { ical };
    let calendar: CalendarDoc =
        execute(&state, &caller, id, IfMatch(None), correlation, command).await?;
    Ok(entry(StatusCode::OK, CalendarView::from(calendar), None))
}
