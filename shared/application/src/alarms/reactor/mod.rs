//! The alarm reactor: a follower of the log that, after each change of an alarm's state, asks
//! the alarm policy (`domain::alarm::policy`) what the incidents should do, and does it with
//! ordinary commands through [`App::execute`]. Redelivery is harmless: an opened incident's id
//! is deterministic (a second open conflicts and is taken as done), and every other reaction
//! changes nothing the second time.
//!
//! A warning within its grace time asks for a recheck: the reactor keeps those timers in memory
//! and fires them when the (injected) clock passes them. On every (re)start it looks again at
//! every firing warning without an incident, which re-creates the timers a restart lost.

mod react;
mod recur;
mod storm;
#[cfg(test)]
mod tests;
mod text;
mod timers;

use crate::{App, AppError};
use react::react_to;
use servicedesk_domain::alarm::{Alarm, AlarmEvent, AlarmId};
use servicedesk_projections::AlarmFilter;
use servicedesk_store::{
    follow_as_leader, FollowOptions, Follower, Lease, Position, RecordedEvent,
};
use std::sync::Arc;
use std::time::Duration;
use storm::Recent;
use timers::Timers;
use tokio::sync::watch;
use tokio::task::JoinHandle;

const NAME: &str = "alarm-reactor";

/// How many hosts' alarms are worked on at once: their commands share the store's group
/// commit instead of waiting for one another.
const CONCURRENT_HOSTS: usize = 32;

/// The shortest time between two batches while the log is busy. Under a stream of alarm
/// deliveries the log moves with every group commit; reading it each time, mostly to skip
/// repeats, woke the reactor thousands of times a second. A few milliseconds gather those
/// commits into one read, far inside the alarm-to-incident budget.
const PACE: Duration = Duration::from_millis(5);

/// Starts the reactor; it runs until `stop` turns true, on one instance at a time: the one
/// holding its lease (with several instances on one log, the others wait to take over).
pub(crate) fn spawn(app: Arc<App>, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let make = {
        let app = app.clone();
        move |lease: Arc<dyn Lease>| Reactor {
            lease,
            app: app.clone(),
            timers: Timers::default(),
            recent: Recent::default(),
        }
    };
    let options = FollowOptions {
        batch: 500,
        tick: Some(Duration::from_secs(1)),
        wake: Some(app.time_moved.clone()),
        pace: PACE,
    };
    tokio::spawn(follow_as_leader(
        app.store.clone(),
        app.leases.clone(),
        NAME,
        make,
        options,
        stop,
    ))
}

struct Reactor {
    app: Arc<App>,
    /// Where the checkpoint lives (followers.db, or the shared database's lease row).
    lease: Arc<dyn Lease>,
    timers: Timers,
    recent: Recent,
}

#[async_trait::async_trait]
impl Follower for Reactor {
    type Error = AppError;

    fn name(&self) -> &'static str {
        NAME
    }

    async fn resume(&mut self) -> Result<Position, AppError> {
        self.timers = Timers::default();
        let from = self.lease.checkpoint().await?;
        for alarm in waiting_warnings(&self.app).await? {
            if let Some(at) = react_to(&self.app, &self.recent, alarm, None).await? {
                self.timers.at(at, alarm);
            }
        }
        Ok(from)
    }

    async fn handle(&mut self, events: Vec<RecordedEvent>) -> Result<(), AppError> {
        for (alarm, at) in react_to_batch(&self.app, &self.recent, &events).await? {
            self.timers.at(at, alarm);
        }
        if let Some(last) = events.last() {
            self.lease.save_checkpoint(last.position).await?;
        }
        Ok(())
    }

    /// Rechecks due by the injected clock, each alarm once however many times it asked.
    async fn wake(&mut self) -> Result<(), AppError> {
        for alarm in self.timers.take_due(self.app.clock.now()) {
            if let Some(at) = react_to(&self.app, &self.recent, alarm, None).await? {
                self.timers.at(at, alarm);
            }
        }
        Ok(())
    }
}

/// An alarm to look at again, and when.
type Recheck = (AlarmId, chrono::DateTime<chrono::Utc>);

/// Reacts once per alarm that changed in the batch (the reaction reads the alarm's current
/// state, so its last event stands for all). Alarms of one host go one after another, so a
/// storm's first alarm opens the incident the others join; different hosts go concurrently.
async fn react_to_batch(
    app: &App,
    recent: &Recent,
    events: &[RecordedEvent],
) -> Result<Vec<Recheck>, AppError> {
    let mut groups: Vec<(String, Vec<(AlarmId, &RecordedEvent)>)> = Vec::new();
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
            Some((_, members)) => members.push((alarm, recorded)),
            None => groups.push((key, vec![(alarm, recorded)])),
        }
    }
    let mut groups = groups.into_iter().map(|(_, members)| members);
    let mut rechecks = Vec::new();
    loop {
        let chunk: Vec<_> = groups
            .by_ref()
            .take(CONCURRENT_HOSTS)
            .map(|members| react_to_host(app, recent, members))
            .collect();
        if chunk.is_empty() {
            return Ok(rechecks);
        }
        for host in futures_util::future::join_all(chunk).await {
            rechecks.extend(host?);
        }
    }
}

/// One host's changed alarms, in log order.
async fn react_to_host(
    app: &App,
    recent: &Recent,
    mut members: Vec<(AlarmId, &RecordedEvent)>,
) -> Result<Vec<Recheck>, AppError> {
    members.reverse();
    let mut rechecks = Vec::new();
    for (alarm, recorded) in members {
        if let Some(at) = react_to(app, recent, alarm, Some(recorded)).await? {
            rechecks.push((alarm, at));
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

/// Firing warnings that have no incident yet: their grace timers, lost with the process.
async fn waiting_warnings(app: &App) -> Result<Vec<AlarmId>, AppError> {
    let mut found = Vec::new();
    let mut filter = AlarmFilter {
        status: Some("firing".to_owned()),
        severity: Some("warning".to_owned()),
        ..Default::default()
    };
    loop {
        let query = filter.clone();
        let (docs, next) = app.query(move |db| db.list_alarms(&query, 500)).await?;
        for doc in docs {
            let alarm: Alarm = serde_json::from_str(&doc).map_err(AppError::internal)?;
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
