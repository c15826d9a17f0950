//! Which SLA a ticket runs on (the most specific contract for its customer and service, with
//! the SLA and calendar as they are now), and the ticket's timers in its document.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use chrono::{DateTime, Utc};
use servicedesk_domain::calendar::CalendarId;
use servicedesk_domain::contract::choose;
use servicedesk_domain::incident::{Incident, SlaApplied};
use servicedesk_domain::sla::SlaId;

/// The SLA a ticket of `customer` for `service` gets now; None without a covering contract.
pub(crate) async fn applicable(
    state: &AppState,
    customer: Option<String>,
    service: Option<String>,
) -> Result<Option<SlaApplied>, ApiError> {
    let db = state.app.read_models.clone();
    let found = web::block(
        move || -> Result<_, servicedesk_projections::ProjectionError> {
            let contracts = db.contracts()?;
            let Some((_, contract)) = choose(
                contracts.iter().map(|c| (&c.spec, c)),
                customer.as_deref(),
                service.as_deref(),
            ) else {
                return Ok(None);
            };
            let Some(sla) = db.sla(SlaId(contract.spec.sla))? else {
                return Ok(None);
            };
            let calendar = match contract.spec.calendar {
                Some(id) => db.calendar(CalendarId(id))?.map(|c| c.spec),
                None => None,
            };
            Ok(Some(SlaApplied {
                contract: contract.id.0,
                sla: sla.id.0,
                spec: sla.spec,
                calendar,
            }))
        },
    )
    .await
    .map_err(ApiError::internal)??;
    Ok(found)
}

/// The incident as JSON with `sla_timers` as of `now` (an empty list without an SLA).
pub(crate) fn document(incident: &Incident, now: DateTime<Utc>) -> serde_json::Value {
    let mut doc = serde_json::to_value(incident).unwrap_or_default();
    let timers = incident
        .sla
        .as_ref()
        .map(|sla| sla.timers(incident.priority, now))
        .unwrap_or_default();
    if let Some(object) = doc.as_object_mut() {
        object.insert(
            "sla_timers".to_owned(),
            serde_json::to_value(timers).unwrap_or_default(),
        );
    }
    doc
}
