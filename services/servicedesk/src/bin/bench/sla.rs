//! Issue 10's benchmark: SLA timers at the scale of 1,000,000 tickets.
//!
//! (s1) deadline computations per second on a business-hours calendar with holidays, beside a
//!      minute-by-minute walk of the same deadlines (the obvious implementation) as a ratio;
//! (s2) memory per open timer: what the scheduler keeps (its agenda) per ticket, and the
//!      server's resident memory with 1,000,000 open tickets on running timers;
//! (s3) the SLA report over a month of 1,000,000 tickets, and (s4) the simulation of the same
//!      month under a proposed calendar;
//! (s5) the lag from a deadline to its recorded threshold event while 10,000 deadlines fall in
//!      the same minute (tickets opened over HTTP on a two-minute SLA).

use crate::incidents::{envelope, mix, open_command};
use crate::report::{percentile_ms, rate, Report};
use crate::server::{agent, Server};
use crate::Options;
use chrono::{DateTime, Duration, Utc};
use servicedesk_api::Role;
use servicedesk_domain::calendar::{Calendar, CalendarSpec};
use servicedesk_domain::incident::{
    decide, evolve, AssignIncident, ChangeStatus, DecisionContext, IncidentCommand, IncidentId,
    ResolutionCode, SlaApplied, Status,
};
use servicedesk_domain::sla::SlaSpec;
use servicedesk_domain::PriorityMatrix;
use servicedesk_store::{EventStore, ExpectedVersion, NewEvent, SystemClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::sync::Arc;
use std::time::Instant;

fn office() -> CalendarSpec {
    let day = serde_json::json!([["09:00", "12:30"], ["13:00", "18:00"]]);
    serde_json::from_value(serde_json::json!({
        "name": "Berlin office", "time_zone": "Europe/Berlin",
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "holidays": ["2026-10-03", "2026-10-31", "2026-11-18", "2026-12-24", "2026-12-25",
                     "2026-12-26", "2026-12-31", "2027-01-01", "2027-04-02", "2027-04-05"]
    }))
    .expect("calendar")
}

fn gold() -> SlaSpec {
    let rows: Vec<serde_json::Value> = [
        (1, 1800),
        (2, 3600),
        (3, 4 * 3600),
        (4, 8 * 3600),
        (5, 16 * 3600),
    ]
    .iter()
    .map(|(p, respond)| {
        serde_json::json!({"ticket_type": "incident", "priority": format!("P{p}"),
                "respond_seconds": respond, "resolve_seconds": 60 * 8 * 3600})
    })
    .collect();
    serde_json::from_value(serde_json::json!({"name": "Gold", "targets": rows})).expect("sla")
}

pub fn run(options: &Options, report: &mut Report) {
    deadlines(report);
    agenda_memory(report);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let data_dir = runtime.block_on(seed(options, report));
    drop(runtime);
    let server = Server::start(&data_dir);
    std::thread::sleep(std::time::Duration::from_secs(3));
    report.add(
        "(s2) server resident memory",
        format!(
            "{:.0} MiB with {} tickets on running timers (VmRSS)",
            rss_kib(server.pid()) as f64 / 1024.0,
            options.incidents
        ),
    );
    reports(&server, report);
    breach_lag(&server, report);
}

/// (s1), (s3), (s4) and (s5) again, on the tickets a `--sla-only --keep` run left.
pub fn reports_only(options: &Options, report: &mut Report) {
    deadlines(report);
    let server = Server::start(&options.dir.join("sla-server"));
    reports(&server, report);
    breach_lag(&server, report);
}

/// (s1)
fn deadlines(report: &mut Report) {
    let calendar = office().validate().expect("valid");
    let start = DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z")
        .expect("instant")
        .with_timezone(&Utc);
    let samples: Vec<(DateTime<Utc>, u64)> = (0..1_000_000u64)
        .map(|n| {
            let r = mix(n);
            (
                start + Duration::seconds((r % (90 * 86_400)) as i64),
                (r >> 32) % (5 * 8 * 3600) + 1,
            )
        })
        .collect();
    let began = Instant::now();
    let mut checksum = 0i64;
    for (at, seconds) in &samples {
        checksum ^= calendar
            .deadline(*at, *seconds)
            .map_or(0, |d| d.timestamp());
    }
    let fast = began.elapsed().as_secs_f64();
    // each on a calendar that has worked out no day yet (its day memo empty)
    let cold = 100_000;
    let began = Instant::now();
    for (at, seconds) in samples.iter().take(cold) {
        let fresh = calendar.clone();
        checksum ^= fresh.deadline(*at, *seconds).map_or(0, |d| d.timestamp());
    }
    let cold_rate = rate(cold, began.elapsed().as_secs_f64());
    let walked = 2_000;
    let began = Instant::now();
    for (at, seconds) in samples.iter().take(walked) {
        let slow = minute_walk(&calendar, *at, *seconds);
        checksum ^= slow.timestamp();
    }
    let slow = began.elapsed().as_secs_f64();
    let fast_rate = rate(samples.len(), fast);
    let slow_rate = rate(walked, slow);
    report.add(
        "(s1) deadline computations",
        format!(
            "{fast_rate:.0}/s on Mon-Fri 09:00-12:30, 13:00-18:00 Europe/Berlin with 10 holidays \
             (targets up to a business week, starts over 90 days); {cold_rate:.0}/s each on a \
             fresh calendar (no day memo); a minute walk: {slow_rate:.0}/s; ratio {:.0}x \
             (checksum {checksum:x})",
            fast_rate / slow_rate
        ),
    );
}

/// The obvious implementation: step the clock a minute at a time (then seconds), counting
/// business minutes.
fn minute_walk(calendar: &Calendar, start: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    let mut at = start;
    let mut left = seconds as i64;
    while left >= 60 {
        if calendar.business_seconds(at, at + Duration::minutes(1)) == 60 {
            left -= 60;
        }
        at += Duration::minutes(1);
    }
    while left > 0 {
        if calendar.is_business_time(at) {
            left -= 1;
        }
        at += Duration::seconds(1);
    }
    at
}

/// (s2): the scheduler's agenda for 1,000,000 tickets, weighed by the process's resident memory.
fn agenda_memory(report: &mut Report) {
    let pid = std::process::id();
    let before = rss_kib(pid);
    let mut agenda = servicedesk_application::SlaAgenda::default();
    for n in 0..1_000_000u64 {
        agenda.set(
            IncidentId(uuid::Uuid::from_u64_pair(mix(n), n)),
            Some(1_800_000_000_000_000 + (mix(n) % 1_000_000_000) as i64),
        );
    }
    let after = rss_kib(pid);
    report.add(
        "(s2) memory per open timer",
        format!(
            "{:.0} bytes per ticket in the scheduler's agenda ({} tickets, {:.1} MiB)",
            (after - before) as f64 * 1024.0 / agenda.len() as f64,
            agenda.len(),
            (after - before) as f64 / 1024.0
        ),
    );
    drop(agenda);
}

fn rss_kib(pid: u32) -> i64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// One ticket of the month: opened, put on the SLA, answered (sometimes late), and resolved
/// for half of them; the rest still run their resolve timer.
fn history(
    n: u64,
    opened_at: DateTime<Utc>,
    now: DateTime<Utc>,
    applied: &SlaApplied,
) -> (IncidentId, Vec<NewEvent>) {
    let id = IncidentId(uuid::Uuid::now_v7());
    let r = mix(n ^ 0x5A5A);
    let mut steps = vec![(opened_at, IncidentCommand::Open(open_command(n, id)))];
    steps.push((opened_at, IncidentCommand::ApplySla(applied.clone())));
    let answered = opened_at + Duration::minutes((r % 600) as i64 + 1);
    if answered < now {
        steps.push((
            answered,
            IncidentCommand::Assign(AssignIncident {
                assignment_group: Some(format!("grp-{}", (r >> 8) % 20)),
                assignee: Some(format!("agent{}", (r >> 16) % 100)),
            }),
        ));
        let resolved = answered + Duration::minutes(((r >> 24) % (3 * 24 * 60)) as i64);
        if r.is_multiple_of(2) && resolved < now {
            steps.push((
                resolved,
                IncidentCommand::ChangeStatus(ChangeStatus {
                    resolution_code: Some(ResolutionCode::PermanentFix),
                    note: Some("fixed".to_owned()),
                    ..ChangeStatus::to(Status::Resolved, "bench")
                }),
            ));
        }
    }
    let mut state = None;
    let mut events = Vec::new();
    for (at, command) in steps {
        let ctx = DecisionContext {
            now: at,
            priority_matrix: PriorityMatrix::default(),
        };
        for event in decide(state.as_ref(), &command, &ctx).expect("valid history") {
            state = evolve(state, &event, at);
            events.push(envelope(&event, at));
        }
    }
    (id, events)
}

async fn seed(options: &Options, report: &mut Report) -> std::path::PathBuf {
    let data_dir = options.dir.join("sla-server");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let store: Arc<dyn EventStore> = Arc::new(
        SqliteEventStore::open(&data_dir.join("events.db"), Arc::new(SystemClock)).expect("open"),
    );
    let now = Utc::now();
    let month_start = now - Duration::days(30);
    let applied = SlaApplied {
        contract: uuid::Uuid::from_u128(1),
        sla: uuid::Uuid::from_u128(2),
        spec: gold(),
        calendar: Some(office()),
    };
    println!(
        "\n(s) {} tickets under an SLA over the last 30 days, through the store",
        options.incidents
    );
    let started = Instant::now();
    let seeders = 256usize;
    let total = options.incidents;
    let per_task = total.div_ceil(seeders);
    let step = Duration::days(30).num_milliseconds() as f64 / total as f64;
    let tasks: Vec<_> = (0..seeders)
        .map(|t| {
            let store = store.clone();
            let applied = applied.clone();
            tokio::spawn(async move {
                let mut events = 0;
                for i in 0..per_task {
                    let n = t * per_task + i;
                    if n >= total {
                        break;
                    }
                    let opened_at = month_start + Duration::milliseconds((n as f64 * step) as i64);
                    let (id, history) = history(n as u64, opened_at, now, &applied);
                    events += history.len();
                    store
                        .append(&id.stream(), ExpectedVersion::NoStream, history)
                        .await
                        .expect("seed");
                }
                events
            })
        })
        .collect();
    let mut events = 0;
    for task in tasks {
        events += task.await.expect("seeder");
    }
    let seconds = started.elapsed().as_secs_f64();
    report.add(
        "(s) seeded",
        format!("{total} tickets, {events} events in {seconds:.1}s"),
    );
    let rebuilt = servicedesk_projections::rebuild(store.clone(), &data_dir.join("readmodel.db"))
        .await
        .expect("rebuild");
    let secs = rebuilt.elapsed.as_secs_f64();
    report.add(
        "(s) read models rebuilt (SLA targets included)",
        format!(
            "{} events in {secs:.1}s = {:.0} events/s",
            rebuilt.events,
            rate(rebuilt.events as usize, secs)
        ),
    );
    store.close().await.expect("close");
    data_dir
}

fn timed(runs: usize, mut call: impl FnMut() -> String) -> (Vec<f64>, String) {
    let mut seconds = Vec::new();
    let mut last = String::new();
    for _ in 0..runs {
        let began = Instant::now();
        last = call();
        seconds.push(began.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    (seconds, last)
}

/// (s3) and (s4)
fn reports(server: &Server, report: &mut Report) {
    let agent = crate::server::agent_waiting(std::time::Duration::from_secs(300));
    let token = server.token(Role::Reporter);
    let now = Utc::now();
    let from = (now - Duration::days(30))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let to = (now + Duration::days(1)).format("%Y-%m-%d").to_string();
    let get = |query: &str| {
        let url = format!(
            "{}/api/v1/reports/sla?from={from}&to={to}{query}",
            server.base
        );
        let mut reply = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .expect("report");
        assert_eq!(reply.status().as_u16(), 200);
        reply.body_mut().read_to_string().expect("body")
    };
    let (seconds, body) = timed(5, || get(""));
    let totals: serde_json::Value = serde_json::from_str(&body).expect("json");
    let settled = totals["totals"]["respond"]["settled"].as_u64().unwrap_or(0)
        + totals["totals"]["resolve"]["settled"].as_u64().unwrap_or(0);
    report.add(
        "(s3) SLA report, a month of tickets",
        format!(
            "p50 {:.2}s, max {:.2}s over 5 runs ({settled} targets settled, compliance {}%, \
             {} breaches; target at most 2 s)",
            seconds[seconds.len() / 2],
            seconds[seconds.len() - 1],
            totals["totals"]["compliance_percent"],
            totals["breaches_total"]
        ),
    );
    let (seconds, _) = timed(3, || get("&group_by=customer"));
    report.add(
        "(s3) SLA report grouped by customer",
        format!("p50 {:.2}s over 3 runs (200 customers)", seconds[1]),
    );
    let long_day = serde_json::json!([["07:00", "21:00"]]);
    let proposals = [
        (
            "around the clock",
            serde_json::json!({"name": "24x7", "time_zone": "UTC", "weekly": "24x7"}),
        ),
        (
            "Mon-Sat 07:00-21:00 Berlin",
            serde_json::json!({"name": "long days", "time_zone": "Europe/Berlin",
                "weekly": {"mon": long_day, "tue": long_day, "wed": long_day, "thu": long_day,
                           "fri": long_day, "sat": long_day}}),
        ),
    ];
    for (name, calendar) in proposals {
        let body = serde_json::json!({"from": from, "to": to, "limit": 100, "calendar": calendar});
        let (seconds, answer) = timed(2, || {
            let mut reply = agent
                .post(format!("{}/api/v1/reports/sla/simulate", server.base))
                .header("Authorization", &format!("Bearer {token}"))
                .send_json(&body)
                .expect("simulate");
            assert_eq!(reply.status().as_u16(), 200);
            reply.body_mut().read_to_string().expect("body")
        });
        let simulation: serde_json::Value = serde_json::from_str(&answer).expect("json");
        report.add(
            &format!("(s4) simulation of the month, {name}"),
            format!(
                "{:.2}s best of 2 ({} targets replayed, {} changed; compliance {}% -> {}%)",
                seconds[0],
                simulation["tickets_total"],
                simulation["tickets_changed"],
                simulation["real"]["compliance_percent"],
                simulation["simulated"]["compliance_percent"]
            ),
        );
    }
}

/// (s5)
fn breach_lag(server: &Server, report: &mut Report) {
    let agent = agent();
    let manager = server.token(Role::Manager);
    let post = |path: &str, body: serde_json::Value| -> serde_json::Value {
        let mut reply = agent
            .post(format!("{}{path}", server.base))
            .header("Authorization", &format!("Bearer {manager}"))
            .send_json(&body)
            .expect("post");
        let status = reply.status().as_u16();
        let text = reply.body_mut().read_to_string().expect("body");
        assert!(status < 300, "{path}: {status} {text}");
        serde_json::from_str(&text).expect("json")
    };
    let rows: Vec<serde_json::Value> = (1..=5)
        .map(|p| {
            serde_json::json!({"ticket_type": "incident", "priority": format!("P{p}"),
            "respond_seconds": 120, "resolve_seconds": 3600})
        })
        .collect();
    let sla = post(
        "/api/v1/slas",
        serde_json::json!({"name": "two minutes", "targets": rows}),
    );
    // a customer of its own each run (a kept data dir may hold the last run's)
    let customer = format!("burst-{}", Utc::now().timestamp());
    post(
        "/api/v1/customers",
        serde_json::json!({"slug": customer, "name": "Burst"}),
    );
    post(
        "/api/v1/contracts",
        serde_json::json!({"name": customer, "customer": customer, "sla": sla["id"]}),
    );
    let tickets = 10_000usize;
    let writers = 8usize;
    println!("\n(s5) {tickets} tickets opened within a minute, each due two minutes later");
    let began = Instant::now();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let (post, customer) = (&post, &customer);
                scope.spawn(move || {
                    let mine = tickets / writers;
                    let mut ids = Vec::with_capacity(mine);
                    for i in 0..mine {
                        // spread over 50 s, so the deadlines fall in one minute
                        let due = began + std::time::Duration::from_millis((i * 50_000 / mine) as u64);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let opened = post(
                            "/api/v1/incidents",
                            serde_json::json!({"title": format!("burst {w}-{i}"), "customer": customer,
                                "impact": "high", "urgency": "high"}),
                        );
                        ids.push(opened["id"].as_str().expect("id").to_owned());
                    }
                    ids
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("writer"))
            .collect()
    });
    let opened_in = began.elapsed().as_secs_f64();
    // the last deadline is two minutes after the last opening; leave a margin
    std::thread::sleep(std::time::Duration::from_secs(130));
    let mut lags: Vec<u64> = Vec::new();
    let mut missing = 0;
    for id in &ids {
        let mut reply = agent
            .get(format!("{}/api/v1/incidents/{id}/history", server.base))
            .header("Authorization", &format!("Bearer {manager}"))
            .call()
            .expect("history");
        let history: serde_json::Value =
            serde_json::from_str(&reply.body_mut().read_to_string().expect("body")).expect("json");
        let breach = history.as_array().and_then(|events| {
            events
                .iter()
                .find(|e| e["type"] == "SlaBreached" && e["data"]["timer"] == "respond")
        });
        match breach {
            Some(e) => {
                let at = |v: &serde_json::Value| {
                    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
                        .map(|d| d.with_timezone(&Utc))
                        .ok()
                };
                if let (Some(recorded), Some(due)) =
                    (at(&e["recorded_at"]), at(&e["data"]["due_at"]))
                {
                    lags.push((recorded - due).num_microseconds().unwrap_or(0).max(0) as u64);
                }
            }
            None => missing += 1,
        }
    }
    lags.sort_unstable();
    report.add(
        "(s5) deadline -> SlaBreached recorded",
        format!(
            "p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms over {} breaches ({missing} missing; \
             {tickets} opened in {opened_in:.0}s beside the month's open tickets; target p99 at most 1 s)",
            percentile_ms(&lags, 0.50),
            percentile_ms(&lags, 0.99),
            percentile_ms(&lags, 1.0),
            lags.len()
        ),
    );
}
