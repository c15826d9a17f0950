//! A rebuild must write the same rows as the live projection, whatever the batch sizes of
//! either: histories spread across the log, straddling batches, starting with an event this
//! build cannot read, and events of other streams.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::rebuild_in_batches;
use crate::runner::apply_batch;
use crate::ReadModelDb;
use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;
use servicedesk_domain::incident::{
    decide, evolve, AddComment, AssignIncident, ChangeStatus, DecisionContext, FieldChanges,
    Incident, IncidentCommand, IncidentEvent, IncidentId, LinkIncident, LinkKind, OpenIncident,
    ResolutionCode, Status, UpdateIncident, Visibility,
};

use servicedesk_domain::{Impact, PriorityMatrix, Urgency};
use servicedesk_store::{Actor, EventStore, ExpectedVersion, NewEvent, SystemClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Appends commands' events through the real `decide`, as the API does.
struct Log {
    store: Arc<dyn EventStore>,
    states: HashMap<IncidentId, Option<Incident>>,
    now: DateTime<Utc>,
}

impl Log {
    async fn run(&mut self, id: IncidentId, commands: Vec<IncidentCommand>) {
        let mut state = self.states.get(&id).cloned().flatten();
        let mut events = Vec::new();
        for command in commands {
            self.now += Duration::seconds(1);
            let ctx = DecisionContext {
                now: self.now,
                priority_matrix: PriorityMatrix::default(),
            };
            for event in decide(state.as_ref(), &command, &ctx).unwrap() {
                state = evolve(state, &event, self.now);
                events.push(envelope(
                    event.event_type(),
                    IncidentEvent::SCHEMA_VERSION,
                    event.to_json(),
                    self.now,
                ));
            }
        }
        self.states.insert(id, state);
        self.append(&id.stream(), events).await;
    }

    async fn append(&self, stream: &str, events: Vec<NewEvent>) {
        self.store
            .append(stream, ExpectedVersion::Any, events)
            .await
            .unwrap();
    }
}

fn envelope(event_type: &str, schema_version: u32, data: String, at: DateTime<Utc>) -> NewEvent {
    NewEvent {
        event_id: uuid::Uuid::now_v7(),
        event_type: event_type.to_owned(),
        schema_version,
        occurred_at: at,
        actor: Actor::user("tester"),
        correlation_id: uuid::Uuid::now_v7(),
        causation_id: None,
        data,
    }
}

fn open(id: IncidentId, n: usize) -> IncidentCommand {
    IncidentCommand::Open(OpenIncident {
        id,
        title: format!("disk alarm {n}"),
        description: format!("host{n} is full"),
        caller: None,
        customer: Some(format!("cust-{}", n % 3)),
        service: Some("web".to_owned()),
        configuration_item: None,
        category: None,
        impact: Impact::Medium,
        urgency: Urgency::High,
        assignment_group: None,
        assignee: None,
        opened_by: "tester".to_owned(),
        alarm: None,
    })
}

fn assign(who: &str) -> IncidentCommand {
    IncidentCommand::Assign(AssignIncident {
        assignment_group: Some("ops".to_owned()),
        assignee: Some(who.to_owned()),
    })
}

fn rename(title: &str) -> IncidentCommand {
    IncidentCommand::Update(UpdateIncident {
        changes: FieldChanges {
            title: Some(title.to_owned()),
            service: Some(None),
            ..FieldChanges::default()
        },
    })
}

fn link(target: IncidentId) -> IncidentCommand {
    IncidentCommand::Link(LinkIncident {
        kind: LinkKind::DuplicateOf,
        target,
    })
}

fn sla() -> IncidentCommand {
    let spec = serde_json::json!({"name": "Gold", "targets": [
        {"ticket_type": "incident", "priority": "P2", "respond_seconds": 1, "resolve_seconds": 3600}
    ]});
    let calendar = serde_json::json!({"name": "office", "time_zone": "Europe/Berlin",
        "weekly": {"mon": [["09:00", "18:00"]], "thu": [["00:00", "24:00"]]}});
    IncidentCommand::ApplySla(servicedesk_domain::incident::SlaApplied {
        contract: uuid::Uuid::from_u128(1),
        sla: uuid::Uuid::from_u128(2),
        spec: serde_json::from_value(spec).unwrap(),
        calendar: Some(serde_json::from_value(calendar).unwrap()),
    })
}

fn comment() -> IncidentCommand {
    IncidentCommand::AddComment(AddComment {
        comment_id: uuid::Uuid::now_v7(),
        visibility: Visibility::Internal,
        body: "checked".to_owned(),
        author: "tester".to_owned(),
    })
}

/// A log with every shape of history the rebuild treats differently.
async fn seed(store: Arc<dyn EventStore>) {
    let mut log = Log {
        store,
        states: HashMap::new(),
        now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    };
    let ids: Vec<IncidentId> = (0..13).map(|_| IncidentId(uuid::Uuid::now_v7())).collect();
    // Whole histories, appended at once; some under an SLA on a business calendar.
    for (n, id) in ids.iter().enumerate().take(6) {
        let mut commands = vec![open(*id, n)];
        if n % 2 == 0 {
            commands.push(sla());
        }
        commands.push(assign(&format!("agent{n}")));
        log.run(*id, commands).await;
    }
    // A stream whose first event this build cannot read; it is opened later, and only then
    // gets a row (and its place in `seq` order).
    let odd = ids[6];
    log.append(
        &odd.stream(),
        vec![envelope("IncidentEscalated", 1, "{}".to_owned(), log.now)],
    )
    .await;
    // A stream whose first event this build reads but cannot fold into anything (a comment on
    // no incident); it too gets its row only once opened.
    let commented = ids[12];
    log.append(
        &commented.stream(),
        vec![envelope(
            "CommentAdded",
            1,
            format!(
                r#"{{"comment_id":"{}","visibility":"internal","body":"early","author":"tester"}}"#,
                uuid::Uuid::now_v7()
            ),
            log.now,
        )],
    )
    .await;
    // Another stream, which the incidents projection ignores.
    log.append(
        "alarm-1",
        vec![envelope("AlarmRaised", 1, "{}".to_owned(), log.now)],
    )
    .await;
    for (n, id) in ids.iter().enumerate().take(12).skip(7) {
        log.run(*id, vec![open(*id, n), sla()]).await;
    }
    log.states.insert(commented, None);
    log.run(commented, vec![open(commented, 12)]).await;
    // Histories spread across the log, interleaved with others.
    log.states.insert(odd, None);
    log.run(odd, vec![open(odd, 6), rename("late renamed")])
        .await;
    for (n, id) in ids.iter().enumerate().take(12).skip(7) {
        log.run(*id, vec![assign("agent9"), link(ids[0]), comment()])
            .await;
        if n % 2 == 0 {
            log.run(
                *id,
                vec![
                    rename(&format!("renamed {n}")),
                    IncidentCommand::ChangeStatus(ChangeStatus::to(Status::InProgress, "tester")),
                ],
            )
            .await;
        }
    }
    log.run(
        ids[1],
        vec![IncidentCommand::ChangeStatus(ChangeStatus {
            resolution_code: Some(ResolutionCode::PermanentFix),
            note: Some("fixed".to_owned()),
            ..ChangeStatus::to(Status::Resolved, "tester")
        })],
    )
    .await;
    log.run(
        ids[8],
        vec![IncidentCommand::Unlink(LinkIncident {
            kind: LinkKind::DuplicateOf,
            target: ids[0],
        })],
    )
    .await;
}

/// Every row of every read-model table, and what the full-text index finds.
fn dump(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut rows = Vec::new();
    // The repeat counts' projection writes its checkpoint on its own schedule (and only a
    // rebuild writes it with the main one), so only the main checkpoint is compared.
    for (table, order) in [
        ("incidents", "WHERE 1 ORDER BY seq"),
        ("incident_docs", "WHERE 1 ORDER BY seq"),
        ("incident_links", "WHERE 1 ORDER BY source, kind, target"),
        ("incident_terms", "WHERE 1 ORDER BY term"),
        ("sla_targets", "WHERE 1 ORDER BY incident, timer"),
        ("sla_calendars", "WHERE 1 ORDER BY key"),
        ("checkpoints", "WHERE projection = 'incidents'"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} {order}"))
            .unwrap();
        let columns = stmt.column_count();
        let mut query = stmt.query([]).unwrap();
        while let Some(row) = query.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| format!("{:?}", row.get::<_, Value>(i).unwrap()))
                .collect();
            rows.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    for term in [
        "disk", "alarm", "renamed", "late", "host3", "full", "\"ren\"*",
    ] {
        let found: Vec<i64> = conn
            .prepare("SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?1 ORDER BY rowid")
            .unwrap()
            .query_map([term], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.push(format!("fts {term}: {found:?}"));
    }
    rows
}

/// The live projection, fed `batch` events at a time.
async fn live(store: &Arc<dyn EventStore>, path: &Path, batch: usize) -> Vec<String> {
    ReadModelDb::open(path).unwrap();
    let mut conn = ReadModelDb::open_writer(path).unwrap();
    let mut after = 0;
    loop {
        let events = store.read_all(after, batch).await.unwrap();
        let Some(last) = events.last().map(|e| e.position) else {
            break;
        };
        apply_batch(&mut conn, &events, last).unwrap();
        after = last;
    }
    drop(conn);
    dump(path)
}

#[tokio::test]
async fn rebuilt_rows_equal_live_rows_whatever_the_batches() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn EventStore> = Arc::new(
        SqliteEventStore::open(&dir.path().join("events.db"), Arc::new(SystemClock)).unwrap(),
    );
    seed(store.clone()).await;

    let expected = live(&store, &dir.path().join("live-all.db"), 10_000).await;
    let incidents = expected.iter().filter(|r| r.starts_with("incidents:"));
    assert_eq!(incidents.count(), 13);
    assert!(expected.iter().any(|r| r.starts_with("incident_links:")));
    assert!(
        expected
            .iter()
            .filter(|r| r.starts_with("sla_targets:"))
            .count()
            >= 10,
        "SLA targets are compared too"
    );
    assert!(expected.iter().any(|r| r.starts_with("sla_calendars:")));
    for batch in [1, 2, 3, 7] {
        let path = dir.path().join(format!("live-{batch}.db"));
        assert_eq!(
            live(&store, &path, batch).await,
            expected,
            "live, batch {batch}"
        );
    }
    for batch in [1, 2, 3, 7, 10_000] {
        let path = dir.path().join(format!("rebuilt-{batch}.db"));
        let report = rebuild_in_batches(store.clone(), &path, batch)
            .await
            .unwrap();
        assert_eq!(report.position, store.head().borrow().to_owned());
        assert_eq!(dump(&path), expected, "rebuild, batch {batch}");
    }
    store.close().await.unwrap();
}
