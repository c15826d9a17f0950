use super::scope::{instant, ScopeParts};
use crate::auth::{permission, Caller};
use crate::error::{responses as errors, ApiError};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use servicedesk_application::Proposal;
use servicedesk_domain::calendar::CalendarSpec;
use servicedesk_domain::sla::report::{GroupBy, Simulation};
use servicedesk_domain::sla::SlaSpec;
use servicedesk_domain::{FieldError, Priority};
use utoipa::ToSchema;

/// A past period, and what to try in it: an SLA, a calendar or both in place of those the
/// tickets ran on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// The period's first instant (RFC 3339) or date.
    pub from: String,
    /// The instant or date after the period.
    pub to: String,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub priority: Vec<Priority>,
    #[serde(default)]
    pub sla: Option<SlaSpec>,
    #[serde(default)]
    pub calendar: Option<CalendarSpec>,
    /// Tickets listed at most (default 1000; all are counted).
    #[serde(default)]
    pub limit: Option<usize>,
}

const DEFAULT_TICKETS: usize = 1000;
const MAX_TICKETS: usize = 100_000;

fn prefixed(prefix: &str, errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(format!("{prefix}.{}", e.field), e.message))
        .collect()
}

fn check(request: &SimulateRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if request.sla.is_none() && request.calendar.is_none() {
        errors.push(FieldError::new(
            "sla",
            "give an sla, a calendar or both to try in the period",
        ));
    }
    if let Some(sla) = &request.sla {
        errors.extend(
            sla.validate()
                .err()
                .map(|e| prefixed("sla", e))
                .unwrap_or_default(),
        );
    }
    if let Some(calendar) = &request.calendar {
        errors.extend(
            calendar
                .validate()
                .err()
                .map(|e| prefixed("calendar", e))
                .unwrap_or_default(),
        );
    }
    if request.limit.is_some_and(|l| l > MAX_TICKETS) {
        errors.push(FieldError::new("limit", format!("at most {MAX_TICKETS}")));
    }
    errors
}

/// Replays a past period under a proposed SLA or calendar: what compliance would have been,
/// ticket by ticket, beside the real figures. Each target's running time comes from the
/// ticket's own events (pauses included), measured again on the proposed calendar against the
/// proposed target; a target counts where it would have settled.
#[utoipa::path(
    tag = "reports",
    request_body = SimulateRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = Simulation),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable,
    )
)]
#[post("/api/v1/reports/sla/simulate")]
pub async fn simulate_sla(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<SimulateRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let request = body.0;
    let mut errors = check(&request);
    let from = instant("from", &request.from);
    let to = instant("to", &request.to);
    for (field, parsed) in [("from", &from), ("to", &to)] {
        if parsed.is_err() {
            errors.push(FieldError::new(
                field,
                "an RFC 3339 instant or a date like 2026-11-01",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid {
            detail: crate::error::describe(&errors),
            errors,
        });
    }
    let parts = ScopeParts {
        from: from.ok(),
        to: to.ok(),
        customer: request.customer,
        service: request.service,
        priorities: request.priority,
        group_by: None::<GroupBy>,
        breach_limit: Some(0),
    };
    let scope = parts.scope(state.app.clock.now()).map_err(|e| match e {
        ApiError::Malformed { detail, errors } => ApiError::Invalid { detail, errors },
        other => other,
    })?;
    let proposal = Proposal {
        sla: request.sla,
        calendar: request.calendar,
    };
    let simulation = state
        .app
        .simulate_sla(scope, proposal, request.limit.unwrap_or(DEFAULT_TICKETS))
        .await?;
    Ok(HttpResponse::Ok().json(simulation))
}
