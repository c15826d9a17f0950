//! Storms: alarms of one host going down together join the incident the first one opened
//! instead of opening one incident each.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use servicedesk_domain::alarm::Alarm;
use servicedesk_domain::incident::{Incident, IncidentId, Status};
use servicedesk_domain::integration::Integration;
use servicedesk_projections::{IncidentFilter, IncidentSort};
use std::collections::HashMap;
use std::sync::Mutex;

/// Incidents this reactor opened, by host, so that the next alarm of a storm finds the first
/// one without waiting for the read model to show it.
#[derive(Default)]
pub(super) struct Recent {
    opened: Mutex<HashMap<String, (IncidentId, DateTime<Utc>)>>,
}

/// Past this many hosts the memory is dropped wholesale; the read model still answers.
const RECENT_HOSTS: usize = 100_000;

impl Recent {
    pub(super) fn opened(&self, host: String, incident: IncidentId, at: DateTime<Utc>) {
        if let Ok(mut opened) = self.opened.lock() {
            if opened.len() >= RECENT_HOSTS {
                opened.clear();
            }
            opened.insert(host, (incident, at));
        }
    }

    fn get(&self, host: &str) -> Option<(IncidentId, DateTime<Utc>)> {
        self.opened.lock().ok()?.get(host).copied()
    }
}

/// The host (or configuration item) whose alarms form a storm.
pub(super) fn host_key(alarm: &Alarm) -> Option<String> {
    alarm
        .snapshot
        .configuration_item
        .clone()
        .or_else(|| alarm.snapshot.host.clone())
}

/// An open incident monitoring opened for the same host within the storm window. The
/// reactor's own memory knows the incidents it opened; the read model knows those from before
/// a restart.
pub(super) async fn storm_incident(
    app: &App,
    recent: &Recent,
    alarm: &Alarm,
    integration: &Integration,
) -> Result<Option<IncidentId>, AppError> {
    let Some(host) = host_key(alarm) else {
        return Ok(None);
    };
    let window = integration.rules.storm_window();
    if window <= chrono::Duration::zero() {
        return Ok(None);
    }
    let since = app.clock.now() - window;
    if let Some((incident, opened_at)) = recent.get(&host) {
        if opened_at >= since {
            let joinable = app.load::<Incident>(incident).await?.is_some_and(|i| {
                i.status.is_open()
                    && i.monitoring.opened_by_monitoring
                    && i.monitoring.attached(alarm.id).is_none()
            });
            if joinable {
                return Ok(Some(incident));
            }
        }
    }
    let filter = IncidentFilter {
        status: vec![
            Status::New,
            Status::Assigned,
            Status::InProgress,
            Status::Pending,
        ],
        configuration_item: Some(host),
        ..Default::default()
    };
    let page = app
        .query(move |db| db.list_incidents(&filter, IncidentSort::OpenedDesc, None, 20))
        .await?;
    for doc in page.items {
        let incident: Incident = serde_json::from_str(&doc).map_err(AppError::internal)?;
        if incident.opened_at < since {
            break;
        }
        if incident.monitoring.opened_by_monitoring
            && incident.monitoring.attached(alarm.id).is_none()
        {
            return Ok(Some(incident.id));
        }
    }
    Ok(None)
}
