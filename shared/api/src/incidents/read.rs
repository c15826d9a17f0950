use super::query::{parse_list_query, query_pairs};
use crate::auth::{permission, Caller};
use crate::error::{responses as errors, ApiError};
use crate::extract::uuid_param;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use servicedesk_domain::incident::{Incident, IncidentId};
use servicedesk_store::Actor;
use utoipa::ToSchema;

/// A page of incidents.
#[derive(Serialize, ToSchema)]
pub struct IncidentList {
    pub items: Vec<Incident>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// List incidents with filters, sort and cursor pagination.
#[utoipa::path(
    tag = "incidents",
    params(super::ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = IncidentList),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden,
    )
)]
#[get("/api/v1/incidents")]
pub async fn list_incidents(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let now = state.app.clock.now();
    let query = parse_list_query(req.query_string(), now)?;
    let db = state.app.read_models.clone();
    let page = web::block(move || {
        db.list_incidents(
            &query.filter,
            query.sort,
            query.cursor.as_ref(),
            query.limit,
        )
    })
    .await
    .map_err(ApiError::internal)??;
    // The documents are stored as the JSON the API returns: splice them, don't re-encode.
    let mut body =
        String::with_capacity(page.items.iter().map(|d| d.len() + 1).sum::<usize>() + 64);
    body.push_str("{\"items\":[");
    for (i, doc) in page.items.into_iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&with_sla_timers(doc, now)?);
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&page.next_cursor).map_err(ApiError::internal)?);
    body.push('}');
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// Get one incident, as it is now or (`as_of`) as it was at an instant.
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = uuid::Uuid, Path, description = "incident id"),
        ("as_of" = Option<DateTime<Utc>>, Query, description = "RFC 3339 instant: the incident as it was then"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Incident, headers(("ETag" = String, description = "the stream version"))),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Unavailable,
    )
)]
#[get("/api/v1/incidents/{id}")]
pub async fn get_incident(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = IncidentId(uuid_param("id", &path)?);
    if let Some(as_of) = parse_as_of(req.query_string())? {
        let history = state
            .app
            .store
            .read_stream(&id.stream(), 0, usize::MAX)
            .await?;
        let past: Vec<_> = history
            .into_iter()
            .filter(|e| e.recorded_at <= as_of)
            .collect();
        let incident =
            servicedesk_application::streams::fold::<Incident>(&past)?.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "incident {id} did not exist at {}",
                    as_of.to_rfc3339()
                ))
            })?;
        return Ok(super::write::incident_response(
            HttpResponse::Ok(),
            &incident,
            as_of,
        ));
    }
    let db = state.app.read_models.clone();
    let found = web::block(move || match db.incident_doc(id)? {
        Some((doc, version)) => Ok::<_, servicedesk_projections::ProjectionError>(Some((
            with_alarm_counts(&db, doc)?,
            version,
        ))),
        None => Ok(None),
    })
    .await
    .map_err(ApiError::internal)??;
    let (doc, version) = found.ok_or_else(|| ApiError::NotFound(format!("no incident {id}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .content_type("application/json")
        .body(with_sla_timers(doc, state.app.clock.now())?))
}

/// The document with its SLA timers as of `now`. Incidents without an SLA (most, before any
/// contract exists) are answered without decoding the document.
fn with_sla_timers(mut doc: String, now: DateTime<Utc>) -> Result<String, ApiError> {
    if !doc.contains(r#""sla":{"#) {
        if doc.ends_with('}') {
            doc.pop();
            doc.push_str(r#","sla_timers":[]}"#);
        }
        return Ok(doc);
    }
    let incident: Incident = serde_json::from_str(&doc).map_err(ApiError::internal)?;
    serde_json::to_string(&super::sla::document(&incident, now)).map_err(ApiError::internal)
}

/// The incident document with its alarms' current occurrence counts (which change with every
/// repeat and so are not part of the incident's events).
fn with_alarm_counts(
    db: &servicedesk_projections::ReadModelDb,
    doc: String,
) -> Result<String, servicedesk_projections::ProjectionError> {
    use servicedesk_projections::ProjectionError;
    // Most incidents have no alarms: answer them without decoding the document. It was
    // written by serde_json from an `Incident`, so an empty list is spelled exactly so.
    if doc.contains(r#""alarms":[]"#) {
        return Ok(doc);
    }
    let mut incident: servicedesk_domain::incident::Incident =
        serde_json::from_str(&doc).map_err(|e| ProjectionError::Corrupt(e.to_string()))?;
    let ids: Vec<_> = incident.monitoring.alarms.iter().map(|a| a.alarm).collect();
    let counts = db.alarm_counts(&ids)?;
    for attached in &mut incident.monitoring.alarms {
        if let Some((occurrences, last_seen)) = counts.get(&attached.alarm) {
            attached.occurrences = Some(*occurrences);
            attached.last_seen = DateTime::from_timestamp_micros(*last_seen);
        }
    }
    serde_json::to_string(&incident).map_err(|e| ProjectionError::Corrupt(e.to_string()))
}

fn parse_as_of(query: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    let mut as_of = None;
    for (key, value) in query_pairs(query)? {
        if key != "as_of" {
            return Err(ApiError::malformed(format!(
                "unknown query parameter {key:?}; only as_of is accepted"
            )));
        }
        let parsed = DateTime::parse_from_rfc3339(&value).map_err(|e| ApiError::Malformed {
            detail: format!(
                "as_of must be an RFC 3339 timestamp such as 2026-11-21T09:30:00Z ({e})"
            ),
            errors: vec![servicedesk_domain::FieldError::new(
                "as_of",
                "must be an RFC 3339 timestamp",
            )],
        })?;
        as_of = Some(parsed.with_timezone(&Utc));
    }
    Ok(as_of)
}

/// One recorded event of a ticket.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub position: u64,
    pub version: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub actor: Actor,
    pub correlation_id: uuid::Uuid,
    pub causation_id: Option<uuid::Uuid>,
    #[schema(value_type = Object)]
    pub data: Box<RawValue>,
}

/// The incident's events, oldest first.
#[utoipa::path(
    tag = "incidents",
    params(("id" = uuid::Uuid, Path, description = "incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<HistoryEntry>),
        errors::BadRequest, errors::Unauthorized, errors::Forbidden, errors::NotFound,
        errors::Unavailable,
    )
)]
#[get("/api/v1/incidents/{id}/history")]
pub async fn incident_history(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(permission::READ_TICKETS)?;
    let id = IncidentId(uuid_param("id", &path)?);
    let history = state
        .app
        .store
        .read_stream(&id.stream(), 0, usize::MAX)
        .await?;
    if history.is_empty() {
        return Err(ApiError::NotFound(format!("no incident {id}")));
    }
    let entries = history
        .into_iter()
        .map(|e| {
            Ok(HistoryEntry {
                position: e.position,
                version: e.version,
                event_type: e.event_type,
                schema_version: e.schema_version,
                occurred_at: e.occurred_at,
                recorded_at: e.recorded_at,
                actor: e.actor,
                correlation_id: e.correlation_id,
                causation_id: e.causation_id,
                data: RawValue::from_string(e.data).map_err(ApiError::internal)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(HttpResponse::Ok().json(entries))
}
