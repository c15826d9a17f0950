//! SLA reports on the real binary: scripted tickets on the manual clock, the report read as
//! JSON and CSV, held to an independent replay of each ticket's history (written here, not
//! shared with the server); a simulation under a looser SLA; bad requests refused.

use crate::support::{spawn_app_with, TestApp};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Saturday 31 October 2026, 08:00 UTC: the clock starts here, a day before the period.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 31, 8, 0, 0).unwrap()
}

fn minute(m: i64) -> DateTime<Utc> {
    base() + Duration::minutes(m)
}

const NOV_2: i64 = 2 * 24 * 60; // Monday 2 November, 08:00

#[derive(Clone, Copy, Debug)]
enum Act {
    Assign,
    Start,
    Pend,
    Comment,
    Resolve,
}

struct Script {
    customer: &'static str,
    p1: bool,
    open: i64,
    acts: Vec<(i64, Act)>,
}

fn scripts() -> Vec<Script> {
    let s = |customer, p1, open, acts: &[(i64, Act)]| Script {
        customer,
        p1,
        open,
        acts: acts.to_vec(),
    };
    use Act::*;
    vec![
        // settled before the period: counts nowhere
        s("acme", true, 0, &[(10, Assign), (NOV_2 + 60, Resolve)]),
        s(
            "acme",
            true,
            NOV_2,
            &[(NOV_2 + 10, Assign), (NOV_2 + 100, Resolve)],
        ),
        s(
            "acme",
            true,
            NOV_2 + 5,
            &[
                (NOV_2 + 50, Assign),
                (NOV_2 + 55, Start),
                (NOV_2 + 200, Resolve),
            ],
        ),
        s(
            "globex",
            true,
            NOV_2 + 20,
            &[
                (NOV_2 + 25, Comment),
                (NOV_2 + 26, Assign),
                (NOV_2 + 30, Pend),
                (NOV_2 + 300, Start),
                (NOV_2 + 350, Resolve),
            ],
        ),
        s("globex", false, NOV_2 + 30, &[(NOV_2 + 100, Assign)]),
        s(
            "acme",
            false,
            NOV_2 + 40,
            &[(NOV_2 + 45, Assign), (NOV_2 + 60, Pend)],
        ),
        s("acme", true, NOV_2 + 1000, &[]),
        s("globex", true, NOV_2 + 60, &[(NOV_2 + 80, Resolve)]),
    ]
}

fn as_role(app: &TestApp, role: &str, method: &str, path: &str, body: &Value) -> Value {
    let token = app.issue_token(&[role], "mona", "1h");
    let reply = app.request(
        method,
        path,
        Some(&token),
        &[],
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    );
    assert!(
        reply.status < 300,
        "{method} {path}: {} {}",
        reply.status,
        reply.body
    );
    reply.json()
}

fn set_clock(app: &TestApp, at: DateTime<Utc>) {
    as_role(
        app,
        "admin",
        "POST",
        "/api/v1/admin/clock",
        &json!({"set": at.to_rfc3339()}),
    );
}

fn act(app: &TestApp, id: &str, act: Act) {
    let (path, body) = match act {
        Act::Assign => (
            "assign",
            json!({"assignee": "bob", "assignment_group": "ops"}),
        ),
        Act::Start => ("transitions", json!({"status": "in_progress"})),
        Act::Pend => (
            "transitions",
            json!({"status": "pending", "pending_reason": "awaiting_customer"}),
        ),
        Act::Comment => (
            "comments",
            json!({"body": "looking into it", "visibility": "customer"}),
        ),
        Act::Resolve => (
            "transitions",
            json!({"status": "resolved", "resolution_code": "permanent_fix", "note": "fixed"}),
        ),
    };
    let reply = app.post(&format!("/api/v1/incidents/{id}/{path}"), &body);
    assert!(
        reply.status < 300,
        "{act:?} on {id}: {} {}",
        reply.status,
        reply.body
    );
}

/// Runs the scripts on the manual clock, in time order; the tickets' ids in script order.
fn run(app: &TestApp) -> Vec<String> {
    let scripts = scripts();
    let mut steps: Vec<(i64, usize, Option<Act>)> = Vec::new();
    for (i, s) in scripts.iter().enumerate() {
        steps.push((s.open, i, None));
        steps.extend(s.acts.iter().map(|(m, a)| (*m, i, Some(*a))));
    }
    steps.sort_by_key(|(m, i, a)| (*m, a.is_some(), *i));
    let mut ids = vec![String::new(); scripts.len()];
    for (m, i, a) in steps {
        set_clock(app, minute(m));
        match a {
            None => {
                let s = &scripts[i];
                let (impact, urgency) = if s.p1 {
                    ("high", "high")
                } else {
                    ("medium", "medium")
                };
                let opened = app.open_incident(json!({"title": format!("ticket {i}"),
                    "customer": s.customer, "impact": impact, "urgency": urgency}));
                assert!(opened["sla"].is_object(), "{opened}");
                ids[i] = opened["id"].as_str().unwrap().to_owned();
            }
            Some(a) => act(app, &ids[i], a),
        }
    }
    ids
}

fn setup(app: &TestApp) {
    let sla = as_role(
        app,
        "manager",
        "POST",
        "/api/v1/slas",
        &json!({"name": "Gold", "targets": [
            {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 7200},
            {"ticket_type": "incident", "priority": "P3", "respond_seconds": 3600, "resolve_seconds": 28800}
        ]}),
    );
    for slug in ["acme", "globex"] {
        as_role(
            app,
            "manager",
            "POST",
            "/api/v1/customers",
            &json!({"slug": slug, "name": slug}),
        );
    }
    as_role(
        app,
        "manager",
        "POST",
        "/api/v1/contracts",
        &json!({"name": "default", "sla": sla["id"]}),
    );
}

/// One target of one ticket as the test's own replay sees it.
#[derive(Debug, Clone, PartialEq)]
struct Replayed {
    incident: String,
    customer: String,
    timer: &'static str,
    on_time: bool,
    settled_at: Option<DateTime<Utc>>,
    met_after: Option<i64>,
    wall: Option<i64>,
}

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// Around the clock, business time is running wall time: respond runs from the opening to the
/// first answer; resolve runs except while pending, until resolved.
fn replay(app: &TestApp, id: &str) -> Vec<Replayed> {
    let history = app.get(&format!("/api/v1/incidents/{id}/history")).json();
    let events = history.as_array().unwrap();
    let opened = &events[0];
    let opened_at = at(&opened["occurred_at"]);
    let p1 = opened["data"]["priority"] == "P1";
    let customer = opened["data"]["customer"].as_str().unwrap().to_owned();
    let (respond_target, resolve_target) = if p1 { (1800, 7200) } else { (3600, 28800) };
    let mut answered = None;
    let mut runs: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = vec![(opened_at, None)];
    let mut resolved = None;
    for e in &events[1..] {
        let when = at(&e["occurred_at"]);
        let kind = e["type"].as_str().unwrap();
        let answers = match kind {
            "IncidentAssigned" => !e["data"]["assignee"].is_null(),
            "CommentAdded" => e["data"]["visibility"] == "customer",
            "IncidentWorkStarted" | "IncidentResolved" => true,
            _ => false,
        };
        if answers && answered.is_none() {
            answered = Some(when);
        }
        let running = runs.last().is_some_and(|r| r.1.is_none());
        match kind {
            "IncidentPended" | "IncidentResolved" if running => {
                runs.last_mut().unwrap().1 = Some(when);
            }
            "IncidentWorkStarted" if !running => runs.push((when, None)),
            _ => {}
        }
        if kind == "IncidentResolved" {
            resolved = Some(when);
        }
    }
    let respond_runs = vec![(opened_at, answered)];
    let outcome = |timer,
                   runs: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
                   met: Option<DateTime<Utc>>,
                   target: i64| {
        let ran: i64 = runs
            .iter()
            .filter_map(|(f, u)| u.map(|u| (u - *f).num_seconds()))
            .sum();
        let on_time = met.is_some() && ran <= target;
        let settled_at = if on_time {
            met
        } else {
            let mut so_far = 0;
            let mut due = None;
            for (from, until) in runs {
                let length = until.map(|u| (u - *from).num_seconds());
                if length.is_none_or(|l| so_far + l >= target) {
                    due = Some(*from + Duration::seconds(target - so_far));
                    break;
                }
                so_far += length.unwrap();
            }
            due
        };
        Replayed {
            incident: id.to_owned(),
            customer: customer.clone(),
            timer,
            on_time,
            settled_at,
            met_after: met.map(|_| ran),
            wall: met.map(|m| (m - opened_at).num_seconds()),
        }
    };
    vec![
        outcome("respond", &respond_runs, answered, respond_target),
        outcome("resolve", &runs, resolved, resolve_target),
    ]
}

#[test]
fn the_report_agrees_with_a_replay_of_the_events_as_json_and_as_csv() {
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-10-31T08:00:00Z")]);
    setup(&app);
    let ids = run(&app);
    let now = minute(NOV_2 + 3000);
    set_clock(&app, now);

    let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let settled: Vec<Replayed> = ids
        .iter()
        .flat_map(|id| replay(&app, id))
        .filter(|r| r.settled_at.is_some_and(|s| s >= from && s < now))
        .collect();
    assert!(
        settled.len() >= 10,
        "the scripts settle most targets: {settled:?}"
    );

    let report = app
        .get("/api/v1/reports/sla?from=2026-11-01&to=2026-12-01&group_by=customer&breach_limit=50")
        .json();
    assert_eq!(
        report["as_of"],
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let expect = |rows: &[&Replayed], timer: &str| {
        let of: Vec<_> = rows.iter().filter(|r| r.timer == timer).collect();
        let met = of.iter().filter(|r| r.on_time).count();
        (of.len() as u64, met as u64, (of.len() - met) as u64)
    };
    let figures = |f: &Value, timer: &str| {
        (
            f[timer]["settled"].as_u64().unwrap(),
            f[timer]["met"].as_u64().unwrap(),
            f[timer]["breached"].as_u64().unwrap(),
        )
    };
    let all: Vec<&Replayed> = settled.iter().collect();
    for timer in ["respond", "resolve"] {
        assert_eq!(
            figures(&report["totals"], timer),
            expect(&all, timer),
            "{timer}: {report}"
        );
    }
    let on_time = all.iter().filter(|r| r.on_time).count() as f64;
    let compliance = (on_time * 10_000.0 / all.len() as f64).round() / 100.0;
    assert_eq!(
        report["totals"]["compliance_percent"].as_f64(),
        Some(compliance)
    );

    // MTTA and MTTR over the settled targets that were met
    for (timer, mean) in [("respond", "mtta"), ("resolve", "mttr")] {
        let met: Vec<&&Replayed> = all
            .iter()
            .filter(|r| r.timer == timer && r.met_after.is_some())
            .collect();
        let business =
            met.iter().map(|r| r.met_after.unwrap()).sum::<i64>() as f64 / met.len() as f64;
        let wall = met.iter().map(|r| r.wall.unwrap()).sum::<i64>() as f64 / met.len() as f64;
        let got = &report["totals"][mean];
        assert_eq!(got["count"].as_u64(), Some(met.len() as u64), "{mean}");
        assert!(
            (got["business_seconds"].as_f64().unwrap() - business).abs() < 0.01,
            "{mean}: {got} vs {business}"
        );
        assert!(
            (got["wall_seconds"].as_f64().unwrap() - wall).abs() < 0.01,
            "{mean}: {got} vs {wall}"
        );
    }

    // per customer
    let groups: BTreeMap<String, Value> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap().to_owned(), g.clone()))
        .collect();
    for customer in ["acme", "globex"] {
        let theirs: Vec<&Replayed> = all
            .iter()
            .copied()
            .filter(|r| r.customer == customer)
            .collect();
        for timer in ["respond", "resolve"] {
            assert_eq!(
                figures(&groups[customer], timer),
                expect(&theirs, timer),
                "{customer} {timer}"
            );
        }
    }

    // the breaches, with links, in the order they fell due
    let mut missed: Vec<&&Replayed> = all.iter().filter(|r| !r.on_time).collect();
    missed.sort_by_key(|r| (r.settled_at, r.incident.clone()));
    assert_eq!(report["breaches_total"].as_u64(), Some(missed.len() as u64));
    let listed: Vec<(String, String)> = report["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["incident"].as_str().unwrap().to_owned(),
                b["timer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = missed
        .iter()
        .map(|r| (r.incident.clone(), r.timer.to_owned()))
        .collect();
    assert_eq!(listed, expected);
    let first = &report["breaches"][0];
    assert_eq!(
        first["link"],
        format!("/api/v1/incidents/{}", first["incident"].as_str().unwrap())
    );

    // backlog: opened before now and not resolved: tickets 4, 5 and 6
    assert_eq!(report["totals"]["backlog"]["open"], 3);
    assert_eq!(report["totals"]["backlog"]["from_1_to_3_days"], 3);
    assert_eq!(report["totals"]["backlog"]["under_1_day"], 0);

    // the same as CSV, for the reporter role
    let reporter = app.issue_token(&["reporter"], "rita", "1h");
    let csv = app.request(
        "GET",
        "/api/v1/reports/sla?from=2026-11-01&to=2026-12-01&group_by=customer",
        Some(&reporter),
        &[("Accept", "text/csv")],
        None,
    );
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("group,compliance_percent,respond_settled"));
    let total: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(total[0], "total");
    assert_eq!(total[1], format!("{compliance:.2}"));
    assert_eq!(total[2], report["totals"]["respond"]["settled"].to_string());
    assert_eq!(lines.len(), 4, "total, acme, globex: {}", csv.body);
    let breaches = app.request(
        "GET",
        "/api/v1/reports/sla?from=2026-11-01&to=2026-12-01&part=breaches",
        Some(&reporter),
        &[("Accept", "text/csv")],
        None,
    );
    assert_eq!(breaches.body.lines().count(), 1 + missed.len());
}

#[test]
fn a_simulation_replays_the_period_under_a_looser_sla_ticket_by_ticket() {
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-10-31T08:00:00Z")]);
    setup(&app);
    let ids = run(&app);
    set_clock(&app, minute(NOV_2 + 3000));
    // an hour to answer a P1 instead of thirty minutes: ticket 2 (answered after 45) is met
    let looser = json!({"from": "2026-11-01", "to": "2026-12-01", "sla": {"name": "Looser", "targets": [
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 3600, "resolve_seconds": 7200},
        {"ticket_type": "incident", "priority": "P3", "respond_seconds": 3600, "resolve_seconds": 28800}
    ]}});
    let simulation = as_role(
        &app,
        "reporter",
        "POST",
        "/api/v1/reports/sla/simulate",
        &looser,
    );
    let real = app
        .get("/api/v1/reports/sla?from=2026-11-01&to=2026-12-01")
        .json();
    assert_eq!(
        simulation["real"]["respond"], real["totals"]["respond"],
        "the real side is the report"
    );
    assert_eq!(
        simulation["simulated"]["respond"]["met"].as_u64().unwrap(),
        real["totals"]["respond"]["met"].as_u64().unwrap() + 1
    );
    assert_eq!(
        simulation["simulated"]["resolve"],
        real["totals"]["resolve"]
    );
    let changed: Vec<&Value> = simulation["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["changed"] == true)
        .collect();
    assert_eq!(changed.len(), 1, "{simulation}");
    assert_eq!(changed[0]["incident"], ids[2].as_str());
    assert_eq!(changed[0]["timer"], "respond");
    assert_eq!(changed[0]["real"]["on_time"], false);
    assert_eq!(changed[0]["simulated"]["on_time"], true);
    assert_eq!(simulation["tickets_changed"], 1);

    // office hours instead of around the clock: the Saturday ticket's night does not count,
    // and the Monday 08:00 tickets start at 09:00
    let office = json!({"from": "2026-11-01", "to": "2026-12-01", "calendar": {
        "name": "office", "time_zone": "UTC",
        "weekly": {"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
                   "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]]}}});
    let simulation = as_role(
        &app,
        "manager",
        "POST",
        "/api/v1/reports/sla/simulate",
        &office,
    );
    let ticket_1_respond = simulation["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["incident"] == ids[1].as_str() && t["timer"] == "respond")
        .unwrap();
    assert_eq!(
        ticket_1_respond["simulated"]["due_at"],
        "2026-11-02T09:30:00Z"
    );
    assert_eq!(ticket_1_respond["real"]["due_at"], "2026-11-02T08:30:00Z");
}

#[test]
fn bad_report_requests_are_refused_with_the_field_named() {
    let app = crate::support::spawn_app();
    let problem = app.get("/api/v1/reports/sla?to=2026-12-01").problem(400);
    assert_eq!(problem["errors"][0]["field"], "from");
    let problem = app
        .get("/api/v1/reports/sla?from=2026-11-01&to=2026-10-01")
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "to");
    let problem = app
        .get("/api/v1/reports/sla?from=yesterday&to=2026-12-01")
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "from");
    let problem = app
        .get("/api/v1/reports/sla?from=2026-11-01&to=2026-12-01&group_by=colour")
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "group_by");
    let problem = app
        .get("/api/v1/reports/sla?from=2026-11-01&to=2026-12-01&sort=x")
        .problem(400);
    assert_eq!(problem["errors"][0]["field"], "sort");

    let manager = app.issue_token(&["manager"], "mona", "1h");
    let simulate = |body: &Value| {
        app.request(
            "POST",
            "/api/v1/reports/sla/simulate",
            Some(&manager),
            &[],
            Some(("application/json", serde_json::to_vec(body).unwrap())),
        )
    };
    let problem = simulate(&json!({"from": "2026-11-01", "to": "2026-12-01"})).problem(422);
    assert_eq!(problem["errors"][0]["field"], "sla");
    let problem = simulate(
        &json!({"from": "2026-11-01", "to": "2026-12-01", "calendar": {
        "name": "bad", "time_zone": "Mars/Olympus", "weekly": {"mon": [["09:00", "25:00"]]}}}),
    )
    .problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.iter().any(|f| f.starts_with("calendar.time_zone")),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.starts_with("calendar.weekly")),
        "{fields:?}"
    );
    let problem =
        simulate(&json!({"to": "2026-12-01", "sla": {"name": "x", "targets": []}})).problem(422);
    assert!(
        problem["detail"].as_str().unwrap().contains("from"),
        "{problem}"
    );
    let not_json = app.request(
        "POST",
        "/api/v1/reports/sla/simulate",
        Some(&manager),
        &[],
        Some(("application/json", b"{".to_vec())),
    );
    not_json.problem(400);
}

#[test]
fn the_reporting_job_writes_each_customers_month_as_json_and_csv() {
    let app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-10-31T08:00:00Z")]);
    setup(&app);
    run(&app);
    set_clock(&app, Utc.with_ymd_and_hms(2026, 12, 2, 6, 0, 0).unwrap());
    let out = tempfile::tempdir().unwrap();
    let reporter = app.issue_token(&["reporter"], "cron", "1h");
    let job = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_servicedesk-reports"))
            .args(args)
            .env("SERVICEDESK_TOKEN", &reporter)
            .output()
            .unwrap()
    };
    let done = job(&[
        "--url",
        &app.base,
        "--month",
        "2026-11",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let log = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{log}");
    assert!(
        log.contains("2/2 customers"),
        "the rate is logged off a terminal: {log}"
    );
    for customer in ["acme", "globex"] {
        let dir = out.path().join("2026-11");
        let written: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{customer}.json"))).unwrap(),
        )
        .unwrap();
        let asked = app
            .get(&format!("/api/v1/reports/sla?from=2026-11-01&to=2026-12-01&customer={customer}&breach_limit=10000"))
            .json();
        assert_eq!(written, asked, "{customer}");
        assert!(written["totals"]["respond"]["settled"].as_u64().unwrap() > 0);
        let csv = std::fs::read_to_string(dir.join(format!("{customer}.csv"))).unwrap();
        assert!(csv.lines().nth(1).unwrap().starts_with("total,"), "{csv}");
        let breaches =
            std::fs::read_to_string(dir.join(format!("{customer}-breaches.csv"))).unwrap();
        assert_eq!(
            breaches.lines().count() as u64,
            1 + written["breaches_total"].as_u64().unwrap()
        );
    }
    assert!(std::fs::read_dir(out.path().join("2026-11"))
        .unwrap()
        .all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")));

    let bad = job(&[
        "--url",
        &app.base,
        "--month",
        "November",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2026-11"));
    let unreachable = job(&[
        "--url",
        "http://127.0.0.1:9",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(unreachable.status.code(), Some(2));
}
