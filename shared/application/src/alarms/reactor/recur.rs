//! Recurrence: the third incident of an alarm within the recurrence window opens a problem (or
//! joins the run's problem) and links every incident of the run to it; failing that, the third
//! incident of the alarms of one configuration item with one alarm name (across fingerprints)
//! does.

use super::text::title_of;
use super::NAME;
use crate::{App, AppError, Execution};
use servicedesk_domain::alarm::policy::{recurring, recurring_on_item};
use servicedesk_domain::alarm::Alarm;
use servicedesk_domain::incident::IncidentId;
use servicedesk_domain::integration::Integration;
use servicedesk_domain::problem::{Problem, ProblemCommand};
use servicedesk_domain::text::MAX_TITLE;
use servicedesk_store::Actor;

pub(super) async fn recur(
    app: &App,
    alarm: &Alarm,
    incident: IncidentId,
    integration: &Integration,
    how: &Execution,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let rules = &integration.rules;
    let s = &alarm.snapshot;
    let days = rules.recurrence_window_seconds / 86_400;
    let (problem, incidents, key, why) = match recurring(alarm, incident, now, rules) {
        Some((problem, incidents)) => {
            let why = format!(
                "{} incidents of alarm {} within {days} days; opened by the alarm reactor.",
                incidents.len(),
                s.fingerprint
            );
            (problem, incidents, s.fingerprint.clone(), why)
        }
        None => {
            let siblings = siblings(app, alarm).await?;
            let Some((problem, incidents, key)) =
                recurring_on_item(alarm, incident, &siblings, now, rules)
            else {
                return Ok(());
            };
            let why = format!(
                "{} incidents of alarm {:?} on {} (several fingerprints) within {days} days; opened by the alarm reactor.",
                incidents.len(),
                s.alarm_name.as_deref().unwrap_or_default(),
                s.configuration_item.as_deref().unwrap_or_default()
            );
            (problem, incidents, key, why)
        }
    };
    // Problems are the system's own doing, not the integration's.
    let mut how = how.clone();
    how.provenance.actor = Actor::system(NAME);
    let open = ProblemCommand::Open {
        id: problem,
        title: format!("Recurring: {}", title_of(alarm))
            .chars()
            .take(MAX_TITLE)
            .collect(),
        description: why,
        configuration_item: s.configuration_item.clone(),
        service: s.service.clone(),
        recurrence_key: Some(key),
        opened_by: format!("monitoring:{}", integration.name),
    };
    let links = incidents
        .into_iter()
        .map(|incident| ProblemCommand::LinkIncident { incident });
    for command in std::iter::once(open).chain(links) {
        match app.execute::<Problem>(problem, command, &how).await {
            // An existing problem is the run's; a closed one takes no more links: the run goes
            // on without it.
            Ok(_) => {}
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The other alarms of this alarm's configuration item and name, as the read model has them.
async fn siblings(app: &App, alarm: &Alarm) -> Result<Vec<Alarm>, AppError> {
    let (Some(item), Some(name)) = (
        alarm.snapshot.configuration_item.clone(),
        alarm.snapshot.alarm_name.clone(),
    ) else {
        return Ok(Vec::new());
    };
    let docs = app.query(move |db| db.alarms_of_item(&item, &name)).await?;
    docs.iter()
        .map(|doc| serde_json::from_str(doc).map_err(AppError::internal))
        .collect()
}
