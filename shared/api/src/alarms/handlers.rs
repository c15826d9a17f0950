use super::ingest::ingest;
use super::source::{bearer, integration_for_key};
use crate::error::{responses as errors, ApiError, ProblemDetails};
use crate::extract::{CorrelationId, RawBody};
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use servicedesk_alarm_formats::pagerduty::{EventAction, PagerDutyEvent};
use servicedesk_alarm_formats::{alertmanager, generic, nagios, pagerduty, zabbix};
use servicedesk_alarm_formats::{AlarmStatus, CanonicalAlarm, ParseError, Severity, SourceKind};
use servicedesk_application::alarms::Ingested;
use servicedesk_domain::integration::Integration;
use servicedesk_domain::FieldError;
use utoipa::openapi::{RefOr, Response};
use utoipa::ToSchema;

/// The answer to an accepted webhook: every alarm in it is durable in the log.
#[derive(Serialize, ToSchema)]
pub struct AlarmsAccepted {
    pub status: &'static str,
    /// Alarms the payload held.
    pub alarms: usize,
    /// Events recorded (0 when every alarm repeated a state already known).
    pub events: usize,
}

fn accepted(ingested: Ingested) -> HttpResponse {
    HttpResponse::Accepted().json(AlarmsAccepted {
        status: "accepted",
        alarms: ingested.alarms,
        events: ingested.events,
    })
}

/// A payload the sender got wrong: 400 when it is not even JSON, 422 when a field is wrong.
/// Logged with the integration, so an operator can tell which monitoring system to fix.
fn refused(integration: &Integration, endpoint: &str, e: ParseError) -> ApiError {
    tracing::info!(integration = %integration.id, name = %integration.name, endpoint, error = %e, "alarm payload refused");
    let errors = vec![FieldError::new(e.field.clone(), e.message.clone())];
    if e.field == "body" {
        ApiError::Malformed {
            detail: e.to_string(),
            errors,
        }
    } else {
        ApiError::Invalid {
            detail: e.to_string(),
            errors,
        }
    }
}

fn require_json(body: &RawBody) -> Result<(), ApiError> {
    if body.media_type == "application/json" || body.media_type.ends_with("+json") {
        return Ok(());
    }
    Err(ApiError::UnsupportedMediaType(format!(
        "alarm payloads must be application/json, not {:?}",
        body.media_type
    )))
}

/// The project's canonical alarm JSON: one alarm or an array of them.
#[utoipa::path(
    tag = "alarms",
    request_body(content = Vec<CanonicalAlarm>, description = "one canonical alarm or an array; received_at is set by the server"),
    security(("integration_key" = [])),
    responses(
        (status = 202, body = AlarmsAccepted),
        errors::BadRequest, errors::Unauthorized, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/alarms")]
pub async fn post_canonical(
    state: web::Data<AppState>,
    req: HttpRequest,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let integration = integration_for_key(&state, bearer(&req), "canonical").await?;
    require_json(&body)?;
    let alarms = generic::parse(&body.bytes, state.app.clock.now())
        .map_err(|e| refused(&integration, "canonical", e))?;
    Ok(accepted(
        ingest(&state, &integration, correlation, alarms).await?,
    ))
}

/// Prometheus Alertmanager's webhook (version 4) and Grafana alerting's webhook. Each alert is
/// decided by its own status and fingerprint, not by the group's.
#[utoipa::path(
    tag = "alarms",
    request_body(content = Object, description = "Alertmanager/Grafana webhook payload"),
    security(("integration_key" = [])),
    responses(
        (status = 202, body = AlarmsAccepted),
        errors::BadRequest, errors::Unauthorized, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/alarms/alertmanager")]
pub async fn post_alertmanager(
    state: web::Data<AppState>,
    req: HttpRequest,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let integration = integration_for_key(&state, bearer(&req), "alertmanager").await?;
    require_json(&body)?;
    let alarms = alertmanager::parse(&body.bytes, state.app.clock.now())
        .map_err(|e| refused(&integration, "alertmanager", e))?;
    Ok(accepted(
        ingest(&state, &integration, correlation, alarms).await?,
    ))
}

/// Nagios and Icinga notifications, form-encoded or JSON.
#[utoipa::path(
    tag = "alarms",
    request_body(content = Object, description = "Nagios/Icinga notification macros, form-encoded or JSON"),
    security(("integration_key" = [])),
    responses(
        (status = 202, body = AlarmsAccepted),
        errors::BadRequest, errors::Unauthorized, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/alarms/nagios")]
pub async fn post_nagios(
    state: web::Data<AppState>,
    req: HttpRequest,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let integration = integration_for_key(&state, bearer(&req), "nagios").await?;
    let now = state.app.clock.now();
    let parsed = match body.media_type.as_str() {
        "application/x-www-form-urlencoded" => nagios::parse_form(&body.bytes, now),
        _ => {
            require_json(&body)?;
            nagios::parse_json(&body.bytes, now)
        }
    };
    let notification = parsed.map_err(|e| refused(&integration, "nagios", e))?;
    Ok(accepted(
        ingest(&state, &integration, correlation, vec![notification.alarm]).await?,
    ))
}

/// What the project's Zabbix media type posts (see `integrations/zabbix`).
#[utoipa::path(
    tag = "alarms",
    request_body(content = Object, description = "servicedesk Zabbix media type payload"),
    security(("integration_key" = [])),
    responses(
        (status = 202, body = AlarmsAccepted),
        errors::BadRequest, errors::Unauthorized, errors::PayloadTooLarge,
        errors::UnsupportedMediaType, errors::Unprocessable, errors::Unavailable,
    )
)]
#[post("/api/v1/alarms/zabbix")]
pub async fn post_zabbix(
    state: web::Data<AppState>,
    req: HttpRequest,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let integration = integration_for_key(&state, bearer(&req), "zabbix").await?;
    require_json(&body)?;
    let alarms = zabbix::parse(&body.bytes, state.app.clock.now())
        .map_err(|e| refused(&integration, "zabbix", e))?;
    Ok(accepted(
        ingest(&state, &integration, correlation, alarms).await?,
    ))
}

/// PagerDuty's answer shapes, so that tools written for PagerDuty understand ours.
#[derive(Serialize, ToSchema)]
pub struct PagerDutyReply {
    pub status: String,
    pub message: String,
    /// Events API v2: the alert's key (generated for a trigger that had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedup_key: Option<String>,
    /// Events API v1: the same key under v1's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_key: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

fn pagerduty_invalid(errors: Vec<String>) -> HttpResponse {
    HttpResponse::BadRequest().json(PagerDutyReply {
        status: "invalid event".to_owned(),
        message: "Event object is invalid".to_owned(),
        dedup_key: None,
        incident_key: None,
        errors,
    })
}

/// What PagerDuty's paths refuse: an invalid event or an unknown key as PagerDuty answers it
/// (400, its own JSON), a body that cannot be read (400 as a problem document), 413, 503.
struct PagerDutyRefusals;

impl utoipa::IntoResponses for PagerDutyRefusals {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let schema = |name: std::borrow::Cow<'static, str>| {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(name)))
                .build()
        };
        let invalid = ResponseBuilder::new()
            .description("An invalid event or an unknown routing_key (service_key), as PagerDuty answers it (or, when the body cannot be read, a problem document)")
            .content("application/json", schema(PagerDutyReply::name()))
            .content("application/problem+json", schema(ProblemDetails::name()))
            .build();
        let mut responses =
            std::collections::BTreeMap::from([("400".to_owned(), RefOr::T(invalid))]);
        responses.extend(<errors::PayloadTooLarge as utoipa::IntoResponses>::responses());
        responses.extend(<errors::Unavailable as utoipa::IntoResponses>::responses());
        responses
    }
}

/// Which of PagerDuty's Events APIs a path stands in for: it decides the shape of the success
/// answer (either path accepts both bodies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PagerDutyPath {
    /// `/v2/enqueue`: 202 `{"status":"success","message":"Event processed","dedup_key":...}`.
    V2,
    /// `/generic/2010-04-15/create_event.json`: 200 with the key as `incident_key`.
    V1,
}

/// PagerDuty Events API v2 (and v1): `routing_key` names the integration. Answers as PagerDuty
/// does: 202 with the dedup_key, 400 (not retried) for an invalid event.
#[utoipa::path(
    tag = "alarms",
    request_body(content = Object, description = "PagerDuty Events API v2 event (or a v1 event)"),
    responses((status = 202, body = PagerDutyReply), PagerDutyRefusals)
)]
#[post("/api/v1/alarms/pagerduty")]
pub async fn post_pagerduty(
    state: web::Data<AppState>,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    pagerduty_event(&state, correlation, &body, PagerDutyPath::V2).await
}

/// The same as `/api/v1/alarms/pagerduty`, at PagerDuty's own path: point a tool here by
/// changing only the host.
#[utoipa::path(
    tag = "alarms",
    request_body(content = Object, description = "PagerDuty Events API v2 event (or a v1 event)"),
    responses((status = 202, body = PagerDutyReply), PagerDutyRefusals)
)]
#[post("/v2/enqueue")]
pub async fn post_pagerduty_enqueue(
    state: web::Data<AppState>,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    pagerduty_event(&state, correlation, &body, PagerDutyPath::V2).await
}

/// PagerDuty Events API v1 at its own path, as `pd-nagios`, `pd-zabbix` and older scripts post
/// it: `service_key` names the integration, `incident_key` is the dedup key. The same events
/// as `/v2/enqueue` (v2 bodies too); answered as PagerDuty's v1 does: 200 with the
/// `incident_key`, 400 (not retried) for an invalid event.
#[utoipa::path(
    tag = "alarms",
    request_body(content = Object, description = "PagerDuty Events API v1 event (or a v2 event)"),
    responses((status = 200, body = PagerDutyReply), PagerDutyRefusals)
)]
#[post("/generic/2010-04-15/create_event.json")]
pub async fn post_pagerduty_v1(
    state: web::Data<AppState>,
    correlation: CorrelationId,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    pagerduty_event(&state, correlation, &body, PagerDutyPath::V1).await
}

async fn pagerduty_event(
    state: &AppState,
    correlation: CorrelationId,
    body: &RawBody,
    path: PagerDutyPath,
) -> Result<HttpResponse, ApiError> {
    let mut event: PagerDutyEvent = match pagerduty::parse(&body.bytes, state.app.clock.now()) {
        Ok(event) => event,
        Err(e) => return Ok(pagerduty_invalid(vec![e.to_string()])),
    };
    let integration =
        match integration_for_key(state, Some(event.routing_key.clone()), "pagerduty").await {
            Ok(integration) => integration,
            Err(ApiError::Unauthorized(_)) => {
                return Ok(pagerduty_invalid(vec![
                    "routing_key: unknown or revoked".to_owned()
                ]))
            }
            Err(other) => return Err(other),
        };
    // A trigger without a dedup_key gets a new one, as with PagerDuty.
    let dedup_key = match event.dedup_key.clone() {
        Some(key) => key,
        None => {
            let key = uuid::Uuid::now_v7().simple().to_string();
            event.assign_dedup_key(key.clone());
            key
        }
    };
    let alarm = match (event.alarm, event.event_action) {
        (Some(alarm), _) => alarm,
        (None, action) => follow_up(&dedup_key, action, state.app.clock.now()),
    };
    ingest(state, &integration, correlation, vec![alarm]).await?;
    let success = |dedup_key, incident_key| PagerDutyReply {
        status: "success".to_owned(),
        message: "Event processed".to_owned(),
        dedup_key,
        incident_key,
        errors: vec![],
    };
    Ok(match path {
        PagerDutyPath::V2 => HttpResponse::Accepted().json(success(Some(dedup_key), None)),
        PagerDutyPath::V1 => HttpResponse::Ok().json(success(None, Some(dedup_key))),
    })
}

/// Acknowledge and resolve carry only the key: what they change is the alarm's status.
fn follow_up(
    dedup_key: &str,
    action: EventAction,
    received_at: chrono::DateTime<chrono::Utc>,
) -> CanonicalAlarm {
    CanonicalAlarm {
        source: SourceKind::Pagerduty,
        fingerprint: dedup_key.to_owned(),
        severity: Severity::Info,
        status: match action {
            EventAction::Acknowledge => AlarmStatus::Acknowledged,
            EventAction::Resolve | EventAction::Trigger => AlarmStatus::Resolved,
        },
        lifecycle: None,
        summary: String::new(),
        host: None,
        configuration_item: None,
        service: None,
        alarm_name: None,
        labels: Default::default(),
        annotations: Default::default(),
        links: vec![],
        started_at: None,
        received_at,
    }
}
