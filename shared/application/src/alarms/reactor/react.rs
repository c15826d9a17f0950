//! One alarm's reaction: gather the facts the policy needs, ask it, carry out its answer.

use super::recur::recur;
use super::storm::{host_key, storm_incident, Recent};
use super::text::{attached, description_of, title_of};
use crate::{App, AppError, Execution};
use chrono::{DateTime, Utc};
use servicedesk_domain::alarm::policy::{react, IncidentFacts, Reaction, Situation};
use servicedesk_domain::alarm::{Alarm, AlarmId};
use servicedesk_domain::incident::{
    Incident, IncidentCommand, IncidentId, MonitorCommand, OpenIncident,
};
use servicedesk_domain::integration::{Integration, IntegrationId};
use servicedesk_store::{Actor, ActorKind, RecordedEvent};

/// Reacts to the alarm's current state; returns when to look at it again, if the policy asks.
pub(super) async fn react_to(
    app: &App,
    recent: &Recent,
    id: AlarmId,
    cause: Option<&RecordedEvent>,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(alarm) = app.load::<Alarm>(id).await? else {
        return Ok(None);
    };
    let Some(integration) = app
        .integration(IntegrationId(alarm.snapshot.integration))
        .await?
    else {
        return Ok(None);
    };
    let last_incident = alarm
        .incident
        .or_else(|| alarm.incidents.last().map(|(i, _)| *i));
    let incident = match last_incident {
        Some(incident) => facts(app, incident).await?,
        None => None,
    };
    let now = app.clock.now();
    let mut situation = Situation {
        alarm: &alarm,
        now,
        rules: &integration.rules,
        incident,
        storm_incident: None,
    };
    let mut reactions = react(&situation);
    // Only an alarm about to open an incident needs to know whether its host is in a storm.
    if reactions.iter().any(|r| matches!(r, Reaction::Open { .. })) {
        situation.storm_incident = storm_incident(app, recent, &alarm, &integration).await?;
        if situation.storm_incident.is_some() {
            reactions = react(&situation);
        }
    }
    let on_behalf = OnBehalf::of(&integration, cause);
    let mut recheck = None;
    for reaction in reactions {
        match reaction {
            Reaction::Open {
                incident,
                impact,
                urgency,
            } => {
                let open = OpenIncident {
                    id: incident,
                    title: title_of(&alarm),
                    description: description_of(&alarm),
                    caller: None,
                    customer: integration.defaults.customer.clone(),
                    service: alarm
                        .snapshot
                        .service
                        .clone()
                        .or_else(|| integration.defaults.service.clone()),
                    configuration_item: alarm.snapshot.configuration_item.clone(),
                    category: Some("monitoring".to_owned()),
                    impact,
                    urgency,
                    assignment_group: integration.defaults.assignment_group.clone(),
                    assignee: None,
                    opened_by: on_behalf.subject.clone(),
                    alarm: Some(attached(&alarm)),
                };
                let opened = app
                    .execute::<Incident>(incident, IncidentCommand::Open(open), &on_behalf.how)
                    .await;
                match opened {
                    // A new incident runs on its contract's SLA like any other. (Redelivered,
                    // the open conflicts and the SLA it got the first time stays.)
                    Ok(opened) => {
                        let (customer, service) =
                            (opened.state.customer.clone(), opened.state.service.clone());
                        if let Some(applied) = app.applicable_sla(customer, service).await? {
                            let apply = IncidentCommand::ApplySla(applied);
                            match app
                                .execute::<Incident>(incident, apply, &on_behalf.how)
                                .await
                            {
                                Ok(_) => {}
                                Err(e) if e.is_conflict() => {}
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    Err(e) if e.is_conflict() => {}
                    Err(e) => return Err(e),
                }
                if let Some(host) = host_key(&alarm) {
                    recent.opened(host, incident, now);
                }
                link(app, &alarm, incident, cause).await?;
                recur(app, &alarm, incident, &integration, &on_behalf.how).await?;
            }
            Reaction::Join { incident } => {
                let attach = MonitorCommand::Attach(attached(&alarm));
                monitor(app, &on_behalf, incident, attach).await?;
                link(app, &alarm, incident, cause).await?;
                recur(app, &alarm, incident, &integration, &on_behalf.how).await?;
            }
            Reaction::Reopen { incident } => {
                let refire = MonitorCommand::Refire { alarm: alarm.id };
                monitor(app, &on_behalf, incident, refire).await?;
                link(app, &alarm, incident, cause).await?;
            }
            Reaction::Clear { incident, resolve } => {
                let clear = MonitorCommand::Clear {
                    alarm: alarm.id,
                    resolve,
                };
                monitor(app, &on_behalf, incident, clear).await?;
            }
            Reaction::Flapping { incident, flapping } => {
                let set = MonitorCommand::SetFlapping(flapping);
                monitor(app, &on_behalf, incident, set).await?;
            }
            Reaction::RecheckAt(at) => recheck = Some(at),
        }
    }
    Ok(recheck)
}

/// The reactor acts for the integration whose alarm it reacts to, in the correlation of the
/// delivery that caused it, and waits for no read model (that would serialize it).
struct OnBehalf {
    subject: String,
    how: Execution,
}

impl OnBehalf {
    fn of(integration: &Integration, cause: Option<&RecordedEvent>) -> Self {
        let subject = format!("monitoring:{}", integration.name);
        let actor = Actor {
            kind: ActorKind::Integration,
            id: subject.clone(),
        };
        let correlation = cause.map_or_else(uuid::Uuid::now_v7, |c| c.correlation_id);
        Self {
            subject,
            how: Execution::by(actor, correlation).without_waiting(),
        }
    }
}

async fn monitor(
    app: &App,
    on_behalf: &OnBehalf,
    incident: IncidentId,
    command: MonitorCommand,
) -> Result<(), AppError> {
    let command = IncidentCommand::Monitor(command);
    match app
        .execute::<Incident>(incident, command, &on_behalf.how)
        .await
    {
        // The incident moved on (closed meanwhile): monitoring has nothing more to say to it.
        Ok(_) => Ok(()),
        Err(e) if e.is_conflict() || matches!(e, AppError::NotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Records on the alarm which incident it feeds, through the ingestor (the one writer of alarm
/// streams).
async fn link(
    app: &App,
    alarm: &Alarm,
    incident: IncidentId,
    cause: Option<&RecordedEvent>,
) -> Result<(), AppError> {
    if alarm.incident == Some(incident) {
        return Ok(());
    }
    let correlation = cause.map_or_else(uuid::Uuid::now_v7, |c| c.correlation_id);
    app.alarms
        .link(alarm.id, incident, correlation, cause.map(|c| c.event_id))
        .await
}

async fn facts(app: &App, id: IncidentId) -> Result<Option<IncidentFacts>, AppError> {
    let incident = app.load::<Incident>(id).await?;
    Ok(incident.map(|i| IncidentFacts {
        id: i.id,
        status: i.status,
        opened_by_monitoring: i.monitoring.opened_by_monitoring,
        human_touched: i.monitoring.human_touched,
        resolved_at: i.resolved_at,
        flapping: i.monitoring.flapping,
    }))
}
