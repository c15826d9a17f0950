//! `POST /api/v1/admin/clock`: moves a manual clock. It exists only when the server was started
//! with `SERVICEDESK_CLOCK=manual`, so SLA and alarm rules can be tested by moving time; on a
//! real clock it is a 404.

use crate::auth::{permission, Caller};
use crate::error::{responses as errors, ApiError, ProblemDetails};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveClock {
    /// Move forward by this many seconds.
    pub advance_seconds: Option<i64>,
    /// Or jump to this instant.
    pub set: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ClockNow {
    pub now: DateTime<Utc>,
}

#[utoipa::path(
    tag = "operations",
    request_body = MoveClock,
    security(("bearer" = [])),
    responses(
        (status = 200, body = ClockNow),
        (status = 404, description = "The server does not run on a manual clock", body = ProblemDetails, content_type = "application/problem+json"),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable,
    )
)]
#[post("/api/v1/admin/clock")]
pub async fn move_clock(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<MoveClock>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::ADMINISTER)?;
    let clock = state.manual_clock.as_ref().ok_or_else(|| {
        ApiError::NotFound(
            "the clock can only be moved on a server started with SERVICEDESK_CLOCK=manual"
                .to_owned(),
        )
    })?;
    match (body.0.advance_seconds, body.0.set) {
        (Some(seconds), None) if seconds >= 0 => clock.advance(chrono::Duration::seconds(seconds)),
        (None, Some(at)) => clock.set(at),
        _ => {
            return Err(ApiError::invalid_field(
                "advance_seconds",
                "give either advance_seconds (not negative) or set",
            ))
        }
    }
    state.app.time_moved.notify_waiters();
    use servicedesk_store::Clock;
    Ok(HttpResponse::Ok().json(ClockNow { now: clock.now() }))
}
