//! Free text through the live projection: the ordered walk of the index must return what the
//! general plan returns (every match once, in list order, across pages), whatever the log
//! order of the incidents' opening times.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::runner::apply_batch;
use chrono::{DateTime, Duration, TimeZone, Utc};
use servicedesk_domain::incident::{
    decide, evolve, AssignIncident, DecisionContext, FieldChanges, Incident, IncidentCommand,
    IncidentEvent, OpenIncident, UpdateIncident,
};
use servicedesk_domain::{Impact, PriorityMatrix, Urgency};
use servicedesk_store::{Actor, EventStore, ExpectedVersion, NewEvent, SystemClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::path::Path;
use std::sync::Arc;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<dyn EventStore>,
    db: ReadModelDb,
    path: std::path::PathBuf,
    applied: u64,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn EventStore> = Arc::new(
            SqliteEventStore::open(&dir.path().join("events.db"), Arc::new(SystemClock)).unwrap(),
        );
        let path = dir.path().join("readmodel.db");
        let (db, _) = ReadModelDb::open(&path).unwrap();
        Self {
            _dir: dir,
            store,
            db,
            path,
            applied: 0,
        }
    }

    /// Runs commands on one incident at `at` and applies the log to the read model.
    async fn run(
        &mut self,
        id: IncidentId,
        state: Option<Incident>,
        commands: Vec<IncidentCommand>,
        at: DateTime<Utc>,
    ) -> Option<Incident> {
        let ctx = DecisionContext {
            now: at,
            priority_matrix: PriorityMatrix::default(),
        };
        let mut state = state;
        let mut events = Vec::new();
        for command in commands {
            for event in decide(state.as_ref(), &command, &ctx).unwrap() {
                state = evolve(state, &event, at);
                events.push(NewEvent {
                    event_id: uuid::Uuid::now_v7(),
                    event_type: event.event_type().to_owned(),
                    schema_version: IncidentEvent::SCHEMA_VERSION,
                    occurred_at: at,
                    actor: Actor::user("tester"),
                    correlation_id: uuid::Uuid::now_v7(),
                    causation_id: None,
                    data: event.to_json(),
                });
            }
        }
        self.store
            .append(&id.stream(), ExpectedVersion::Any, events)
            .await
            .unwrap();
        self.apply().await;
        state
    }

    async fn apply(&mut self) {
        let mut conn = ReadModelDb::open_writer(&self.path).unwrap();
        let events = self.store.read_all(self.applied, 100_000).await.unwrap();
        if let Some(last) = events.last().map(|e| e.position) {
            apply_batch(&mut conn, &events, last).unwrap();
            self.applied = last;
        }
    }

    async fn open(
        &mut self,
        n: usize,
        title: &str,
        description: &str,
        at: DateTime<Utc>,
    ) -> IncidentId {
        let id = IncidentId(uuid::Uuid::now_v7());
        let open = IncidentCommand::Open(OpenIncident {
            id,
            title: title.to_owned(),
            description: description.to_owned(),
            caller: None,
            customer: None,
            service: Some(if n.is_multiple_of(3) { "web" } else { "mail" }.to_owned()),
            configuration_item: None,
            category: None,
            impact: [Impact::High, Impact::Medium, Impact::Low][n % 3],
            urgency: Urgency::High,
            assignment_group: None,
            assignee: None,
            opened_by: "tester".to_owned(),
            alarm: None,
        });
        let mut commands = vec![open];
        if n.is_multiple_of(4) {
            commands.push(IncidentCommand::Assign(AssignIncident {
                assignment_group: Some("ops".to_owned()),
                assignee: None,
            }));
        }
        self.run(id, None, commands, at).await;
        id
    }

    /// Every page of a search, followed through cursors.
    fn walk(&self, filter: &IncidentFilter, sort: IncidentSort, limit: usize) -> Vec<String> {
        let mut seen = Vec::new();
        let mut cursor: Option<Cursor> = None;
        loop {
            let page = self
                .db
                .list_incidents(filter, sort, cursor.as_ref(), limit)
                .unwrap();
            assert!(page.items.len() <= limit);
            seen.extend(page.items.iter().map(|doc| {
                let v: serde_json::Value = serde_json::from_str(doc).unwrap();
                v["id"].as_str().unwrap().to_owned()
            }));
            match page.next_cursor {
                Some(next) => cursor = Some(Cursor::decode(&next).unwrap()),
                None => return seen,
            }
        }
    }

    /// The ids the list must return, by a plain scan: `matches` on (title, description),
    /// the other filters on the row, in the sort's order.
    fn expected(
        &self,
        matches: impl Fn(&str, &str) -> bool,
        filter: &IncidentFilter,
        sort: IncidentSort,
    ) -> Vec<String> {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        let direction = if sort.descending() { "DESC" } else { "ASC" };
        let order = sort
            .columns()
            .iter()
            .chain(std::iter::once(&"seq"))
            .map(|c| format!("i.{c} {direction}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (clauses, params) = filter_clauses(filter, &filter.status, &filter.priority);
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let mut stmt = conn
            .prepare(&format!(
                "SELECT i.id, d.doc FROM incidents i JOIN incident_docs d ON d.seq = i.seq {where_sql} ORDER BY {order}"
            ))
            .unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>();
        rows.into_iter()
            .filter(|(_, doc)| {
                let v: serde_json::Value = serde_json::from_str(doc).unwrap();
                matches(
                    v["title"].as_str().unwrap_or(""),
                    v["description"].as_str().unwrap_or(""),
                )
            })
            .map(|(id, _)| id)
            .collect()
    }

    fn plan(&self, filter: &IncidentFilter, sort: IncidentSort, limit: usize) -> String {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        let expression = text_match(&conn, filter.text.as_deref().unwrap())
            .unwrap()
            .unwrap();
        let (sql, params) = ordered_search_sql(&conn, filter, sort, None, limit, &expression)
            .unwrap()
            .expect("the ordered plan");
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect::<Vec<_>>();
        rows.join("\n")
    }
}

fn words(title: &str, description: &str) -> Vec<String> {
    format!("{title} {description}")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Every query word is a prefix of some word of the incident.
fn has_prefixes<'a>(query: &'a str) -> impl Fn(&str, &str) -> bool + 'a {
    move |title, description| {
        let words = words(title, description);
        query
            .split_whitespace()
            .all(|q| words.iter().any(|w| w.starts_with(&q.to_lowercase())))
    }
}

fn text(q: &str) -> IncidentFilter {
    IncidentFilter {
        text: Some(q.to_owned()),
        ..IncidentFilter::default()
    }
}

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
}

/// 120 incidents whose opening times are not in log order (as with concurrent writers), some
/// sharing a microsecond, most about disks, a few with a word only in the description.
async fn seeded() -> Fixture {
    let mut f = Fixture::new();
    for n in 0..120usize {
        let at = base() + Duration::seconds(((n * 37) % 120 / 2) as i64);
        let (title, description) = if n % 10 == 7 {
            (format!("Printer jam {n}"), "tray two".to_owned())
        } else if n.is_multiple_of(5) {
            (
                format!("Disk full on web-{n}"),
                "volume quarantined by the filesystem checker".to_owned(),
            )
        } else {
            (
                format!("Disk full on web-{n}"),
                format!("Filesystem nearly full, host{n}"),
            )
        };
        f.open(n, &title, &description, at).await;
    }
    f
}

#[tokio::test]
async fn search_pages_newest_first_return_every_match_once_in_order() {
    let f = seeded().await;
    for q in [
        "disk",
        "DIS",
        "disk full",
        "fil",
        "quarantined",
        "quar check",
        "nearly host1",
    ] {
        for sort in [IncidentSort::OpenedDesc, IncidentSort::OpenedAsc] {
            let expected = f.expected(has_prefixes(q), &IncidentFilter::default(), sort);
            assert!(!expected.is_empty(), "{q}");
            for limit in [1, 7, 500] {
                assert_eq!(
                    f.walk(&text(q), sort, limit),
                    expected,
                    "q={q} {sort:?} limit {limit}"
                );
            }
        }
    }
    // a word in no incident, and one that only starts a longer word nowhere
    assert!(f
        .walk(&text("disk nothere"), IncidentSort::OpenedDesc, 10)
        .is_empty());
    assert_eq!(
        f.expected(
            has_prefixes("disk"),
            &IncidentFilter::default(),
            IncidentSort::OpenedDesc
        )
        .len(),
        108
    );
}

#[tokio::test]
async fn search_with_filters_and_other_sorts() {
    let f = seeded().await;
    let filters = [
        IncidentFilter {
            status: vec![Status::Assigned],
            ..text("disk")
        },
        IncidentFilter {
            service: Some("web".to_owned()),
            ..text("full")
        },
        IncidentFilter {
            status: vec![Status::New, Status::Assigned],
            priority: vec![Priority::P1, Priority::P3],
            ..text("disk web")
        },
    ];
    for filter in &filters {
        for sort in [
            IncidentSort::OpenedDesc,
            IncidentSort::OpenedAsc,
            IncidentSort::PriorityAsc,
            IncidentSort::PriorityDesc,
            IncidentSort::UpdatedDesc,
        ] {
            let q = filter.text.clone().unwrap();
            let expected = f.expected(has_prefixes(&q), filter, sort);
            assert!(!expected.is_empty(), "{filter:?}");
            for limit in [3, 500] {
                assert_eq!(
                    f.walk(filter, sort, limit),
                    expected,
                    "{filter:?} {sort:?} {limit}"
                );
            }
        }
    }
}

#[tokio::test]
async fn user_input_is_never_fts_syntax() {
    let f = seeded().await;
    for q in [
        "\"",
        "\"disk",
        "(",
        ")",
        "(disk",
        "*",
        "disk*",
        "NEAR",
        "NEAR(disk full)",
        "-",
        "-disk",
        "disk -full",
        "disk OR",
        "AND",
        "OR disk",
        "NOT",
        "title:disk",
        "^disk",
        "{title}:disk",
        "+",
        "disk:",
        "'",
        "web-1",
        "ü",
        "disk\u{0}",
    ] {
        f.db.list_incidents(&text(q), IncidentSort::OpenedDesc, None, 10)
            .unwrap_or_else(|e| panic!("q={q:?}: {e}"));
        f.db.list_incidents(&text(q), IncidentSort::PriorityAsc, None, 10)
            .unwrap_or_else(|e| panic!("q={q:?}: {e}"));
    }
    // operators are words: NEAR is a prefix of "nearly"
    assert_eq!(
        f.walk(&text("NEAR"), IncidentSort::OpenedDesc, 500),
        f.expected(
            has_prefixes("near"),
            &IncidentFilter::default(),
            IncidentSort::OpenedDesc
        )
    );
    // a word with punctuation is a phrase, as before: "web-1" is web followed by 1...
    let web1 = f.walk(&text("web-1"), IncidentSort::OpenedDesc, 500);
    assert_eq!(
        web1.len(),
        28,
        "web-1, web-10..19, web-100..119, but 17, 107, 117"
    );
}

#[tokio::test]
async fn the_ordered_plan_walks_the_index_without_sorting_its_matches() {
    let f = seeded().await;
    for filter in [
        text("disk"),
        IncidentFilter {
            status: vec![Status::New, Status::Assigned],
            service: Some("web".to_owned()),
            ..text("disk full")
        },
    ] {
        for sort in [IncidentSort::OpenedDesc, IncidentSort::OpenedAsc] {
            let plan = f.plan(&filter, sort, 50);
            assert!(!plan.contains("TEMP B-TREE"), "{plan}");
            assert!(plan.contains("VIRTUAL TABLE INDEX"), "{plan}");
        }
    }
}

#[tokio::test]
async fn renamed_text_leaves_the_term_list_and_the_index() {
    let mut f = Fixture::new();
    let id = IncidentId(uuid::Uuid::now_v7());
    let open = IncidentCommand::Open(OpenIncident {
        id,
        title: "zebra crossing".to_owned(),
        description: "striped".to_owned(),
        caller: None,
        customer: None,
        service: None,
        configuration_item: None,
        category: None,
        impact: Impact::Low,
        urgency: Urgency::Low,
        assignment_group: None,
        assignee: None,
        opened_by: "tester".to_owned(),
        alarm: None,
    });
    let state = f.run(id, None, vec![open], base()).await;
    assert_eq!(f.walk(&text("zeb"), IncidentSort::OpenedDesc, 5).len(), 1);
    let rename = IncidentCommand::Update(UpdateIncident {
        changes: FieldChanges {
            title: Some("yak shaving".to_owned()),
            ..FieldChanges::default()
        },
    });
    f.run(id, state, vec![rename], base() + Duration::seconds(1))
        .await;
    assert!(f.walk(&text("zeb"), IncidentSort::OpenedDesc, 5).is_empty());
    assert_eq!(
        f.walk(&text("yak strip"), IncidentSort::OpenedDesc, 5)
            .len(),
        1
    );
    let conn = rusqlite::Connection::open(&f.path).unwrap();
    let terms: Vec<(String, i64)> = conn
        .prepare("SELECT term, docs FROM incident_terms ORDER BY term")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected: Vec<(String, i64)> = [("shaving", 1), ("striped", 1), ("yak", 1)]
        .iter()
        .map(|(t, n)| (t.to_string(), *n))
        .collect();
    assert_eq!(terms, expected);
}

/// Rows whose key cannot be in list order (opened before 1970, or more than 1024 in one
/// microsecond) send searches to the general plan, which must still be right.
#[tokio::test]
async fn keys_that_do_not_fit_fall_back_to_the_general_plan() {
    let mut f = seeded().await;
    let path: &Path = &f.path.clone();
    f.open(
        1,
        "Disk full, very old",
        "",
        Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 0).unwrap(),
    )
    .await;
    let conn = rusqlite::Connection::open(path).unwrap();
    let negative: i64 = conn
        .query_row(
            "SELECT count(*) FROM incidents WHERE text_key < 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(negative, 1);
    let filter = text("disk");
    assert!(
        ordered_search_sql(&conn, &filter, IncidentSort::OpenedDesc, None, 5, "disk")
            .unwrap()
            .is_none()
    );
    let expected = f.expected(
        has_prefixes("disk"),
        &IncidentFilter::default(),
        IncidentSort::OpenedDesc,
    );
    assert_eq!(expected.len(), 109);
    assert_eq!(f.walk(&filter, IncidentSort::OpenedDesc, 7), expected);
}

#[tokio::test]
async fn more_than_1024_in_one_microsecond_stay_in_order() {
    let mut f = Fixture::new();
    for n in 0..1030usize {
        f.open(n, &format!("same instant {n}"), "", base()).await;
    }
    let conn = rusqlite::Connection::open(&f.path).unwrap();
    let negative: i64 = conn
        .query_row(
            "SELECT count(*) FROM incidents WHERE text_key < 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(negative, 6);
    let expected = f.expected(
        has_prefixes("same"),
        &IncidentFilter::default(),
        IncidentSort::OpenedDesc,
    );
    assert_eq!(expected.len(), 1030);
    assert_eq!(
        f.walk(&text("same inst"), IncidentSort::OpenedDesc, 100),
        expected
    );
}
