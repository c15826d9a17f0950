//! Which SLA a ticket runs on (the most specific contract for its customer and service, with
//! the SLA and calendar as they are now), and the ticket's timers in its document.

use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use servicedesk_domain::incident::{Incident, SlaApplied};

/// The SLA a ticket of `customer` for `service` gets now; None without a covering contract.
pub(crate) async fn applicable(
    state: &AppState,
    customer: Option<String>,
    service: Option<String>,
) -> Result<Option<SlaApplied>, ApiError> {
    Ok(state.app.applicable_sla(customer, service).await?)
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
