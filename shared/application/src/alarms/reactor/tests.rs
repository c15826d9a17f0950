//! The reactor without HTTP: given deliveries recorded through the ingestor (the events the
//! reactor follows), then the incidents and problems it must have opened, resolved or
//! left alone. A real SQLite log and read model in a temporary directory, a manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::{App, AppSettings, Background, Execution};
use chrono::{DateTime, Duration, Utc};
use servicedesk_domain::alarm::policy::incident_id_for;
use servicedesk_domain::alarm::rules::AlarmRules;
use servicedesk_domain::alarm::{
    Alarm, AlarmId, AlarmStatus, CanonicalAlarm, Severity, SourceKind,
};
use servicedesk_domain::incident::{Incident, ResolutionCode, Status};
use servicedesk_domain::integration::{Integration, IntegrationCommand, IntegrationId};
use servicedesk_domain::problem::Problem;
use servicedesk_domain::Priority;
use servicedesk_projections::{FollowerCheckpoint, ReadModelDb};
use servicedesk_store::{Actor, EventStore, ManualClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::sync::Arc;

struct Given {
    app: Arc<App>,
    background: Background,
    clock: Arc<ManualClock>,
    integration: Integration,
    read_models: ReadModelDb,
    _dir: tempfile::TempDir,
}

fn start_of_test() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// An app on a fresh log with one registered integration.
async fn given_an_integration(rules: AlarmRules) -> Given {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(start_of_test()));
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.db"), clock.clone()).unwrap());
    let (read_models, _) = ReadModelDb::open(&dir.path().join("readmodel.db")).unwrap();
    let (app, background) = App::start(
        store,
        Arc::new(crate::LocalLeases::new(read_models.clone())),
        read_models.clone(),
        clock.clone(),
        AppSettings::default(),
    )
    .unwrap();
    let id = IntegrationId(uuid::Uuid::from_u128(42));
    let register = IntegrationCommand::Register {
        id,
        name: "prometheus-eu".into(),
        kind: SourceKind::Alertmanager,
        key_sha256: "0".repeat(64),
        key_hint: "test".into(),
        defaults: Default::default(),
        rules,
    };
    let how = Execution::by(Actor::user("ada"), uuid::Uuid::now_v7());
    let integration = app
        .execute::<Integration>(id, register, &how)
        .await
        .unwrap()
        .state;
    Given {
        app,
        background,
        clock,
        integration,
        read_models,
        _dir: dir,
    }
}

fn alarm(
    fingerprint: &str,
    severity: Severity,
    status: AlarmStatus,
    at: DateTime<Utc>,
) -> CanonicalAlarm {
    CanonicalAlarm {
        source: SourceKind::Alertmanager,
        fingerprint: fingerprint.into(),
        severity,
        status,
        lifecycle: None,
        summary: "Host down".into(),
        host: Some("web-1".into()),
        configuration_item: Some("web-1".into()),
        service: Some("hosting".into()),
        alarm_name: Some("HostDown".into()),
        labels: Default::default(),
        annotations: Default::default(),
        links: vec![],
        started_at: None,
        received_at: at,
    }
}

impl Given {
    async fn deliver(&self, alarm: CanonicalAlarm) -> AlarmId {
        let id = AlarmId::for_key(self.integration.id.0, &alarm.fingerprint);
        self.app
            .alarms
            .deliver(&self.integration, uuid::Uuid::now_v7(), vec![alarm])
            .await
            .unwrap();
        id
    }

    /// Waits until the reactor has handled the whole log, its own commands included, and the
    /// read models include them.
    async fn settled(&self) {
        let checkpoint = FollowerCheckpoint::open(&self.read_models, "alarm-reactor").unwrap();
        for _ in 0..500 {
            let head = *self.app.store.head().borrow();
            if checkpoint.load().unwrap() >= head && self.app.projections.position() >= head {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the reactor did not catch up with the log");
    }

    async fn alarm(&self, id: AlarmId) -> Alarm {
        self.app.load::<Alarm>(id).await.unwrap().unwrap()
    }

    async fn incident_of(&self, id: AlarmId) -> Option<Incident> {
        let alarm = self.alarm(id).await;
        match alarm.incident.or(alarm.incidents.last().map(|(i, _)| *i)) {
            Some(incident) => self.app.load::<Incident>(incident).await.unwrap(),
            None => None,
        }
    }

    /// Moves the manual clock and wakes the reactor's timers, as `POST /admin/clock` does.
    fn advance(&self, by: Duration) {
        self.clock.advance(by);
        self.app.time_moved.notify_waiters();
    }

    async fn stop(self) {
        let store = self.app.store.clone();
        self.background.stop(self.app).await;
        store.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_critical_alarm_opens_a_p1_incident_linked_to_it_and_its_recovery_resolves_it() {
    let given = given_an_integration(AlarmRules::default()).await;
    let now = start_of_test();
    let id = given
        .deliver(alarm("fp-1", Severity::Critical, AlarmStatus::Firing, now))
        .await;
    given.settled().await;

    let alarm_state = given.alarm(id).await;
    let incident = given.incident_of(id).await.expect("an incident");
    assert_eq!(incident.id, incident_id_for(&alarm_state));
    assert_eq!(
        alarm_state.incident,
        Some(incident.id),
        "the alarm names its incident"
    );
    assert_eq!(incident.priority, Priority::P1);
    assert!(incident.monitoring.opened_by_monitoring);
    assert_eq!(incident.opened_by, "monitoring:prometheus-eu");
    assert!(incident.title.contains("web-1"), "{}", incident.title);

    given.advance(Duration::minutes(3));
    let later = now + Duration::minutes(3);
    given
        .deliver(alarm(
            "fp-1",
            Severity::Critical,
            AlarmStatus::Resolved,
            later,
        ))
        .await;
    given.settled().await;
    let incident = given
        .app
        .load::<Incident>(incident.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incident.status, Status::Resolved);
    assert_eq!(
        incident.resolution.map(|r| r.code),
        Some(ResolutionCode::Recovered)
    );
    given.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_opens_nothing_within_its_grace_time_and_a_p3_once_it_has_passed() {
    let given = given_an_integration(AlarmRules::default()).await;
    let now = start_of_test();
    let id = given
        .deliver(alarm("disk", Severity::Warning, AlarmStatus::Firing, now))
        .await;
    given.settled().await;
    assert!(given.incident_of(id).await.is_none(), "no incident yet");

    given.advance(Duration::minutes(14));
    given.settled().await;
    assert!(
        given.incident_of(id).await.is_none(),
        "still within the grace time"
    );

    given.advance(Duration::minutes(2));
    // The timer fires on the wake-up, then its commands land in the log.
    let mut incident = None;
    for _ in 0..500 {
        given.settled().await;
        incident = given.incident_of(id).await;
        if incident.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let incident = incident.expect("an incident once the grace time passed");
    assert_eq!(incident.priority, Priority::P3);
    given.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alarms_of_one_host_within_the_storm_window_join_one_incident() {
    let given = given_an_integration(AlarmRules::default()).await;
    let now = start_of_test();
    let first = given
        .deliver(alarm(
            "host-down",
            Severity::Critical,
            AlarmStatus::Firing,
            now,
        ))
        .await;
    let mut second_alarm = alarm("http-down", Severity::Error, AlarmStatus::Firing, now);
    second_alarm.alarm_name = Some("HttpDown".into());
    let second = given.deliver(second_alarm).await;
    given.settled().await;

    let one = given.incident_of(first).await.expect("first incident");
    let two = given.incident_of(second).await.expect("joined incident");
    assert_eq!(
        one.id, two.id,
        "the second alarm joined the first one's incident"
    );
    assert_eq!(
        one.monitoring.alarms.len(),
        2,
        "{:?}",
        one.monitoring.alarms
    );
    given.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_third_incident_of_an_alarm_within_the_window_opens_a_problem_with_all_three() {
    // Flapping thresholds out of the way: three firing periods in a few hours flap otherwise.
    let rules = AlarmRules {
        flap_high_percent: 90.0,
        flap_low_percent: 50.0,
        ..AlarmRules::default()
    };
    let given = given_an_integration(rules).await;
    let mut at = start_of_test();
    let id = AlarmId::for_key(given.integration.id.0, "flaky");
    let mut incidents = Vec::new();
    for _ in 0..3 {
        given
            .deliver(alarm("flaky", Severity::Critical, AlarmStatus::Firing, at))
            .await;
        given.settled().await;
        incidents.push(given.incident_of(id).await.expect("incident").id);
        // Past the reopen window, so the next firing opens a new incident.
        given.advance(Duration::minutes(5));
        at += Duration::minutes(5);
        given
            .deliver(alarm(
                "flaky",
                Severity::Critical,
                AlarmStatus::Resolved,
                at,
            ))
            .await;
        given.settled().await;
        given.advance(Duration::hours(2));
        at += Duration::hours(2);
    }
    incidents.dedup();
    assert_eq!(incidents.len(), 3, "three incidents, one per firing period");

    let docs = given
        .app
        .query(|db| db.problem_docs(None, 10))
        .await
        .unwrap();
    assert_eq!(docs.len(), 1, "one problem");
    let problem: Problem = serde_json::from_str(&docs[0]).unwrap();
    let mut linked = problem.incidents.clone();
    linked.sort();
    incidents.sort();
    assert_eq!(
        linked, incidents,
        "the problem collects the run's incidents"
    );
    assert_eq!(problem.recurrence_key.as_deref(), Some("flaky"));
    given.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_reactor_goes_on_from_its_checkpoint_and_opens_nothing_twice() {
    let given = given_an_integration(AlarmRules::default()).await;
    let now = start_of_test();
    let id = given
        .deliver(alarm("fp-9", Severity::Critical, AlarmStatus::Firing, now))
        .await;
    given.settled().await;
    let before = given.app.store.read_all(0, 10_000).await.unwrap().len();

    // A second reactor over the same log, from the start (a lost checkpoint): every reaction
    // is decided again and finds its work done.
    let checkpoint = FollowerCheckpoint::open(&given.read_models, "alarm-reactor").unwrap();
    checkpoint.save(0).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let again = super::spawn(given.app.clone(), stopped);
    given.settled().await;
    let _ = stop.send(true);
    again.await.unwrap();

    let events = given.app.store.read_all(0, 10_000).await.unwrap();
    assert_eq!(events.len(), before, "nothing appended the second time");
    assert!(given.incident_of(id).await.is_some());
    given.stop().await;
}
