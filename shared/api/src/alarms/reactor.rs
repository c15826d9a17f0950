//! The alarm reactor: follows the log and, after each alarm event, asks the alarm policy what
//! the incidents should do, then does it with ordinary commands. Redelivery is harmless: an
//! opened incident's id is deterministic (a second open conflicts and is taken as done), and
//! every other reaction changes nothing the second time.
//!
//! A warning within its grace time asks for a recheck: the reactor keeps those timers in memory
//! and fires them when the (injected) clock passes them. At start it looks again at every
//! firing warning without an incident, which re-creates the timers a restart lost.
//!
//! Recurrence is keyed by the alarm (its fingerprint); the same alarm name on one
//! configuration item from different fingerprints is not grouped yet.

use crate::auth::{Caller, Role};
use crate::error::ApiError;
use crate::extract::{CorrelationId, IfMatch};
use crate::incidents::execute::{execute_then, ReadYourWrites};
use crate::problems::execute as problems;
use crate::state::AppState;
use servicedesk_domain::alarm::policy::{
    react, recurring, recurring_on_item, IncidentFacts, Reaction, Situation,
};
use servicedesk_domain::alarm::{self, Alarm, AlarmEvent, AlarmId};
use servicedesk_domain::incident::{
    AttachedAlarm, IncidentCommand, IncidentId, MonitorCommand, OpenIncident, Status,
};
use servicedesk_domain::integration::{Integration, IntegrationId};
use servicedesk_domain::problem::ProblemCommand;
use servicedesk_domain::text::MAX_TITLE;
use servicedesk_projections::FollowerCheckpoint;
use servicedesk_store::{RecordedEvent, Subscription};
use std::time::Duration;
use tokio::sync::watch;

const NAME: &str = "alarm-reactor";

/// Runs until `stop` turns true; restarts from its checkpoint after a failure.
pub async fn run(state: actix_web::web::Data<AppState>, mut stop: watch::Receiver<bool>) {
    loop {
        match follow(&state, &mut stop).await {
            Ok(()) => return,
            Err(e) => {
                tracing::error!(error = %e, "alarm reactor failed; restarting from its checkpoint");
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

async fn follow(state: &AppState, stop: &mut watch::Receiver<bool>) -> Result<(), ApiError> {
    let checkpoint = FollowerCheckpoint::open(&state.read_models, NAME)?;
    let mut subscription = Subscription::new(state.store.clone(), checkpoint.load()?, 500);
    let mut timers = Timers::default();
    let recent = Recent::default();
    for alarm in waiting_warnings(state).await? {
        if let Some(at) = react_to(state, &recent, alarm, None).await? {
            timers.at(at, alarm);
        }
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        // Only decide what woke us inside `select!`: its futures (one holds a watch guard)
        // must be gone before the awaits that handle the wake-up.
        let wake = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => Wake::Stop,
            batch = subscription.next_batch() => Wake::Events(batch?),
            _ = state.time_moved.notified() => Wake::Time,
            _ = tick.tick() => Wake::Time,
        };
        match wake {
            Wake::Stop => return Ok(()),
            Wake::Time => fire_due(state, &recent, &mut timers).await?,
            Wake::Events(events) => {
                react_to_batch(state, &recent, &events, &mut timers).await?;
                if let Some(last) = events.last() {
                    checkpoint.save(last.position)?;
                }
            }
        }
    }
}

enum Wake {
    Stop,
    Events(Vec<RecordedEvent>),
    Time,
}

/// Rechecks due by the injected clock, each alarm once however many times it asked.
#[derive(Default)]
struct Timers {
    due: std::collections::BTreeMap<
        chrono::DateTime<chrono::Utc>,
        std::collections::BTreeSet<AlarmId>,
    >,
}

impl Timers {
    fn at(&mut self, when: chrono::DateTime<chrono::Utc>, alarm: AlarmId) {
        self.due.entry(when).or_default().insert(alarm);
    }

    fn take_due(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> std::collections::BTreeSet<AlarmId> {
        let later = self
            .due
            .split_off(&(now + chrono::Duration::microseconds(1)));
        let due = std::mem::replace(&mut self.due, later);
        due.into_values().flatten().collect()
    }
}

async fn fire_due(state: &AppState, recent: &Recent, timers: &mut Timers) -> Result<(), ApiError> {
    for alarm in timers.take_due(state.clock.now()) {
        if let Some(at) = react_to(state, recent, alarm, None).await? {
            timers.at(at, alarm);
        }
    }
    Ok(())
}

/// An alarm to look at again, and when.
type Recheck = (AlarmId, chrono::DateTime<chrono::Utc>);

/// How many hosts' alarms are worked on at once: their commands share the store's group
/// commit instead of waiting for one another.
const CONCURRENT_HOSTS: usize = 32;

/// Reacts once per alarm that changed in the batch (the reaction reads the alarm's current
/// state, so its last event stands for all). Alarms of one host go one after another, so a
/// storm's first alarm opens the incident the others join; different hosts go concurrently.
async fn react_to_batch(
    state: &AppState,
    recent: &Recent,
    events: &[RecordedEvent],
    timers: &mut Timers,
) -> Result<(), ApiError> {
    let mut groups: Vec<(String, Vec<(AlarmId, RecordedEvent)>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for recorded in events.iter().rev() {
        let Some(alarm) = AlarmId::from_stream(&recorded.stream) else {
            continue;
        };
        if !reacts_to(recorded) || !seen.insert(alarm) {
            continue;
        }
        let key = host_of(recorded).unwrap_or_else(|| alarm.to_string());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((alarm, recorded.clone())),
            None => groups.push((key, vec![(alarm, recorded.clone())])),
        }
    }
    let mut groups = groups.into_iter().map(|(_, members)| members);
    loop {
        let chunk: Vec<_> = groups
            .by_ref()
            .take(CONCURRENT_HOSTS)
            .map(|members| react_to_host(state, recent, members))
            .collect();
        if chunk.is_empty() {
            return Ok(());
        }
        for rechecks in futures_util::future::join_all(chunk).await {
            for (alarm, at) in rechecks? {
                timers.at(at, alarm);
            }
        }
    }
}

/// One host's changed alarms, in log order.
async fn react_to_host(
    state: &AppState,
    recent: &Recent,
    mut members: Vec<(AlarmId, RecordedEvent)>,
) -> Result<Vec<Recheck>, ApiError> {
    members.reverse();
    let mut rechecks = Vec::new();
    for (alarm, recorded) in &members {
        if let Some(at) = react_to(state, recent, *alarm, Some(recorded)).await? {
            rechecks.push((*alarm, at));
        }
    }
    Ok(rechecks)
}

/// The host an `AlarmRaised` names (other events leave the alarm's own id as its group).
fn host_of(recorded: &RecordedEvent) -> Option<String> {
    if recorded.event_type != "AlarmRaised" {
        return None;
    }
    match AlarmEvent::from_stored(
        &recorded.event_type,
        recorded.schema_version,
        &recorded.data,
    ) {
        Ok(AlarmEvent::AlarmRaised(raised)) => {
            raised.snapshot.configuration_item.or(raised.snapshot.host)
        }
        _ => None,
    }
}

/// Firing warnings that have no incident yet: their grace timers, lost with the process.
async fn waiting_warnings(state: &AppState) -> Result<Vec<AlarmId>, ApiError> {
    let mut found = Vec::new();
    let mut filter = servicedesk_projections::AlarmFilter {
        status: Some("firing".to_owned()),
        severity: Some("warning".to_owned()),
        ..Default::default()
    };
    loop {
        let db = state.read_models.clone();
        let query = filter.clone();
        let (docs, next) = actix_web::web::block(move || db.list_alarms(&query, 500))
            .await
            .map_err(ApiError::internal)??;
        for doc in docs {
            let alarm: Alarm = serde_json::from_str(&doc).map_err(ApiError::internal)?;
            if alarm.incident.is_none() {
                found.push(alarm.id);
            }
        }
        match next {
            Some(key) => filter.before = Some(key),
            None => return Ok(found),
        }
    }
}

/// Only changes of an alarm's state can change what its incident should do: repeats (most of
/// the traffic), acknowledgements and the reactor's own links would wake it to find nothing
/// to do. (A repeat of an alarm whose incident a person closed would only re-derive the same
/// incident id, which exists.)
fn reacts_to(recorded: &RecordedEvent) -> bool {
    matches!(
        recorded.event_type.as_str(),
        "AlarmRaised"
            | "AlarmSeverityChanged"
            | "AlarmResolved"
            | "AlarmFlappingStarted"
            | "AlarmFlappingStopped"
    )
}

async fn react_to(
    state: &AppState,
    recent: &Recent,
    id: AlarmId,
    cause: Option<&RecordedEvent>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    let Some(alarm) = load_alarm(state, id).await? else {
        return Ok(None);
    };
    let Some(integration) =
        load_integration(state, IntegrationId(alarm.snapshot.integration)).await?
    else {
        return Ok(None);
    };
    let last_incident = alarm
        .incident
        .or_else(|| alarm.incidents.last().map(|(i, _)| *i));
    let incident = match last_incident {
        Some(incident) => facts(state, incident).await?,
        None => None,
    };
    let now = state.clock.now();
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
        situation.storm_incident = storm_incident(state, recent, &alarm, &integration).await?;
        if situation.storm_incident.is_some() {
            reactions = react(&situation);
        }
    }
    let caller = Caller {
        subject: format!("monitoring:{}", integration.name),
        roles: vec![Role::Integration],
    };
    let correlation = CorrelationId(cause.map_or_else(uuid::Uuid::now_v7, |c| c.correlation_id));
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
                    opened_by: caller.subject.clone(),
                    alarm: Some(attached(&alarm)),
                };
                match execute_then(
                    state,
                    &caller,
                    incident,
                    IfMatch(None),
                    correlation,
                    IncidentCommand::Open(open),
                    ReadYourWrites::DontWait,
                )
                .await
                {
                    Ok(_) | Err(ApiError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
                if let Some(host) = host_key(&alarm) {
                    recent.opened(host, incident, now);
                }
                link(state, &alarm, incident, cause).await?;
                recur(state, &alarm, incident, &integration, correlation).await?;
            }
            Reaction::Join { incident } => {
                command(
                    state,
                    &caller,
                    incident,
                    correlation,
                    MonitorCommand::Attach(attached(&alarm)),
                )
                .await?;
                link(state, &alarm, incident, cause).await?;
                recur(state, &alarm, incident, &integration, correlation).await?;
            }
            Reaction::Reopen { incident } => {
                command(
                    state,
                    &caller,
                    incident,
                    correlation,
                    MonitorCommand::Refire { alarm: alarm.id },
                )
                .await?;
                link(state, &alarm, incident, cause).await?;
            }
            Reaction::Clear { incident, resolve } => {
                command(
                    state,
                    &caller,
                    incident,
                    correlation,
                    MonitorCommand::Clear {
                        alarm: alarm.id,
                        resolve,
                    },
                )
                .await?;
            }
            Reaction::Flapping { incident, flapping } => {
                command(
                    state,
                    &caller,
                    incident,
                    correlation,
                    MonitorCommand::SetFlapping(flapping),
                )
                .await?;
            }
            Reaction::RecheckAt(at) => recheck = Some(at),
        }
    }
    Ok(recheck)
}

/// The third incident of an alarm within the recurrence window opens a problem (or joins the
/// run's problem) and links every incident of the run to it; failing that, the third incident
/// of the alarms of one configuration item with one alarm name (across fingerprints) does.
async fn recur(
    state: &AppState,
    alarm: &Alarm,
    incident: IncidentId,
    integration: &Integration,
    correlation: CorrelationId,
) -> Result<(), ApiError> {
    let now = state.clock.now();
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
            let siblings = siblings(state, alarm).await?;
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
    let actor = servicedesk_store::Actor::system(NAME);
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
    match problems::execute(state, &actor, problem, correlation, open).await {
        Ok(_) | Err(ApiError::Conflict { .. }) => {}
        Err(e) => return Err(e),
    }
    for incident in incidents {
        match problems::execute(
            state,
            &actor,
            problem,
            correlation,
            ProblemCommand::LinkIncident { incident },
        )
        .await
        {
            // A closed problem takes no more links: the run goes on without it.
            Ok(_) | Err(ApiError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The other alarms of this alarm's configuration item and name, as the read model has them.
async fn siblings(state: &AppState, alarm: &Alarm) -> Result<Vec<Alarm>, ApiError> {
    let (Some(item), Some(name)) = (
        alarm.snapshot.configuration_item.clone(),
        alarm.snapshot.alarm_name.clone(),
    ) else {
        return Ok(Vec::new());
    };
    let db = state.read_models.clone();
    let docs = actix_web::web::block(move || db.alarms_of_item(&item, &name))
        .await
        .map_err(ApiError::internal)??;
    docs.iter()
        .map(|doc| serde_json::from_str(doc).map_err(ApiError::internal))
        .collect()
}

/// Incidents this reactor opened, by host, so that the next alarm of a storm finds the first
/// one without waiting for the read model to show it.
#[derive(Default)]
struct Recent {
    opened: std::sync::Mutex<
        std::collections::HashMap<String, (IncidentId, chrono::DateTime<chrono::Utc>)>,
    >,
}

/// Past this many hosts the memory is dropped wholesale; the read model still answers.
const RECENT_HOSTS: usize = 100_000;

impl Recent {
    fn opened(&self, host: String, incident: IncidentId, at: chrono::DateTime<chrono::Utc>) {
        if let Ok(mut opened) = self.opened.lock() {
            if opened.len() >= RECENT_HOSTS {
                opened.clear();
            }
            opened.insert(host, (incident, at));
        }
    }

    fn get(&self, host: &str) -> Option<(IncidentId, chrono::DateTime<chrono::Utc>)> {
        self.opened.lock().ok()?.get(host).copied()
    }
}

/// The host (or configuration item) whose alarms form a storm.
fn host_key(alarm: &Alarm) -> Option<String> {
    alarm
        .snapshot
        .configuration_item
        .clone()
        .or_else(|| alarm.snapshot.host.clone())
}

/// An open incident monitoring opened for the same host within the storm window: alarms of a
/// host going down together join it instead of opening one incident each. The reactor's own
/// memory knows the incidents it opened; the read model knows those from before a restart.
async fn storm_incident(
    state: &AppState,
    recent: &Recent,
    alarm: &Alarm,
    integration: &Integration,
) -> Result<Option<IncidentId>, ApiError> {
    let Some(host) = host_key(alarm) else {
        return Ok(None);
    };
    let window = integration.rules.storm_window();
    if window <= chrono::Duration::zero() {
        return Ok(None);
    }
    let since = state.clock.now() - window;
    if let Some((incident, opened_at)) = recent.get(&host) {
        if opened_at >= since {
            let joinable = crate::incidents::execute::load(state, &incident.stream())
                .await?
                .is_some_and(|i| {
                    i.status.is_open()
                        && i.monitoring.opened_by_monitoring
                        && i.monitoring.attached(alarm.id).is_none()
                });
            if joinable {
                return Ok(Some(incident));
            }
        }
    }
    let filter = servicedesk_projections::IncidentFilter {
        status: vec![
            Status::New,
            Status::Assigned,
            Status::InProgress,
            Status::Pending,
        ],
        configuration_item: Some(host),
        ..Default::default()
    };
    let db = state.read_models.clone();
    let page = actix_web::web::block(move || {
        db.list_incidents(
            &filter,
            servicedesk_projections::IncidentSort::OpenedDesc,
            None,
            20,
        )
    })
    .await
    .map_err(ApiError::internal)??;
    for doc in page.items {
        let incident: servicedesk_domain::incident::Incident =
            serde_json::from_str(&doc).map_err(ApiError::internal)?;
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

async fn command(
    state: &AppState,
    caller: &Caller,
    incident: IncidentId,
    correlation: CorrelationId,
    command: MonitorCommand,
) -> Result<(), ApiError> {
    match execute_then(
        state,
        caller,
        incident,
        IfMatch(None),
        correlation,
        IncidentCommand::Monitor(command),
        ReadYourWrites::DontWait,
    )
    .await
    {
        // The incident moved on (closed meanwhile): monitoring has nothing more to say to it.
        Ok(_) | Err(ApiError::Conflict { .. }) | Err(ApiError::NotFound(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Records on the alarm which incident it feeds, through the ingestor (the one writer of alarm
/// streams).
async fn link(
    state: &AppState,
    alarm: &Alarm,
    incident: IncidentId,
    cause: Option<&RecordedEvent>,
) -> Result<(), ApiError> {
    if alarm.incident == Some(incident) {
        return Ok(());
    }
    Ok(state
        .alarm_ingestor
        .link(
            alarm.id,
            incident,
            cause.map_or_else(uuid::Uuid::now_v7, |c| c.correlation_id),
            cause.map(|c| c.event_id),
        )
        .await?)
}

async fn load_alarm(state: &AppState, id: AlarmId) -> Result<Option<Alarm>, ApiError> {
    crate::streams::load(state, &id.stream(), alarm::evolve).await
}

async fn load_integration(
    state: &AppState,
    id: IntegrationId,
) -> Result<Option<Integration>, ApiError> {
    let db = state.read_models.clone();
    Ok(actix_web::web::block(move || db.integration(id))
        .await
        .map_err(ApiError::internal)??)
}

async fn facts(state: &AppState, id: IncidentId) -> Result<Option<IncidentFacts>, ApiError> {
    let incident = crate::incidents::execute::load(state, &id.stream()).await?;
    Ok(incident.map(|i| IncidentFacts {
        id: i.id,
        status: i.status,
        opened_by_monitoring: i.monitoring.opened_by_monitoring,
        human_touched: i.monitoring.human_touched,
        resolved_at: i.resolved_at,
        flapping: i.monitoring.flapping,
    }))
}

fn attached(alarm: &Alarm) -> AttachedAlarm {
    AttachedAlarm {
        alarm: alarm.id,
        fingerprint: alarm.snapshot.fingerprint.clone(),
        summary: alarm.snapshot.summary.clone(),
        cleared: false,
        occurrences: None,
        last_seen: None,
    }
}

fn title_of(alarm: &Alarm) -> String {
    let s = &alarm.snapshot;
    let text = match &s.host {
        Some(host) if !s.summary.contains(host.as_str()) => format!("{} on {host}", s.summary),
        _ => s.summary.clone(),
    };
    let line: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE)
        .collect();
    if line.trim().is_empty() {
        format!(
            "alarm {}",
            s.fingerprint.chars().take(64).collect::<String>()
        )
    } else {
        line
    }
}

fn description_of(alarm: &Alarm) -> String {
    let s = &alarm.snapshot;
    let mut text = format!(
        "Opened by monitoring ({:?}) for alarm {} (severity {:?}).\n",
        s.source, s.fingerprint, s.severity
    );
    for (k, v) in s.annotations.iter().chain(s.labels.iter()) {
        text.push_str(&format!("{k}: {v}\n"));
    }
    for link in &s.links {
        text.push_str(&format!("link: {}\n", link.href));
    }
    text.chars()
        .take(servicedesk_domain::text::MAX_BODY)
        .collect()
}
