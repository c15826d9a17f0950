//! Issue 9's benchmark, on a PostgreSQL server (`--postgres <url>`), each figure beside its peer
//! in the same run:
//! (p1) raw batched INSERTs of the same rows into the same table (the ceiling), 64 and 1024
//!      rows a transaction;
//! (p2) `PostgresEventStore::append` from 64 and 512 concurrent single-event appenders,
//!      durable, as a ratio of the ceilings;
//! (p3) alarm webhooks into one instance, then the same load spread over two instances on one
//!      database;
//! (p4) follower lag: a write acknowledged by one instance until the other instance's read
//!      models include it (commit to read model), p50/p99, under the alarm load.

use crate::report::{percentile_ms, rate, Report};
use crate::server::{agent, Server};
use crate::store_throughput::{append_concurrently, opened_events};
use crate::Options;
use serde_json::{json, Value};
use servicedesk_api::Role;
use servicedesk_store::{EventStore, SystemClock};
use servicedesk_store_postgres::{bench, testing, PostgresEventStore};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn run(options: &Options, server_url: &str, report: &mut Report) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(appends(options, server_url, report));
    alarms_and_lag(options, server_url, report, &runtime);
}

async fn appends(options: &Options, server_url: &str, report: &mut Report) {
    let count = options.store_events;
    let events = opened_events(count);
    println!("\n(p1) raw batched INSERTs into the events table, {count} IncidentOpened rows");
    let mut ceilings = Vec::new();
    for batch in [64, 1024] {
        let db = testing::fresh_database(server_url).await.expect("database");
        let elapsed = bench::raw_batched_inserts(&db, &events, batch)
            .await
            .expect("raw inserts");
        let r = rate(count, elapsed.as_secs_f64());
        ceilings.push(r);
        report.add(
            &format!("(p1) raw INSERT, {batch} rows/transaction"),
            format!("{r:.0} events/s"),
        );
    }
    for appenders in [64, 512] {
        println!("\n(p2) PostgresEventStore::append, {appenders} concurrent single-event appenders, durable");
        let db = testing::fresh_database(server_url).await.expect("database");
        let store = Arc::new(
            PostgresEventStore::connect(&db, Arc::new(SystemClock))
                .await
                .expect("connect"),
        );
        let elapsed = append_concurrently(store.clone(), events.clone(), appenders).await;
        let counters = store.write_counters();
        let transactions = counters.transactions.load(Ordering::Relaxed).max(1);
        println!(
            "  writer: {:.1} appends per transaction, {:.2} ms per transaction, busy {:.0}%",
            counters.requests.load(Ordering::Relaxed) as f64 / transactions as f64,
            counters.busy_micros.load(Ordering::Relaxed) as f64 / 1e3 / transactions as f64,
            counters.busy_micros.load(Ordering::Relaxed) as f64 / 1e4 / elapsed
        );
        store.close().await.expect("close");
        let r = rate(count, elapsed);
        report.add(
            &format!("(p2) store appends, {appenders} appenders"),
            format!(
                "{r:.0} events/s = {:.2} of the 64-row ceiling, {:.2} of the 1024-row ceiling (target >= 0.5 and >= 50,000/s)",
                r / ceilings[0],
                r / ceilings[1]
            ),
        );
    }
}

fn register(server: &Server) -> String {
    let admin = server.token(Role::Admin);
    let mut registered = agent()
        .post(format!("{}/api/v1/integrations", server.base))
        .header("Authorization", &format!("Bearer {admin}"))
        .send_json(json!({"name": "bench", "kind": "generic", "defaults": {"customer": "bench"}}))
        .expect("register");
    registered.body_mut().read_json::<Value>().expect("key")["key"]
        .as_str()
        .expect("key")
        .to_owned()
}

/// 20 alerts a post over 500 hosts: mostly repeats of what fires, a few new ones.
fn alarm_post(n: u64) -> Value {
    let alerts: Vec<Value> = (0..20u64)
        .map(|i| {
            let r = crate::incidents::mix(n * 64 + i);
            let host = r % 500;
            let fingerprint = if r.is_multiple_of(100) {
                format!("new-{n}-{i}")
            } else {
                format!("host{host}-down")
            };
            json!({"fingerprint": fingerprint, "severity": "warning", "summary": "bench", "host": format!("host{host}")})
        })
        .collect();
    Value::Array(alerts)
}

fn post(client: &ureq::Agent, base: &str, key: &str, body: &Value) -> bool {
    client
        .post(format!("{base}/api/v1/alarms"))
        .header("Authorization", &format!("Bearer {key}"))
        .send_json(body)
        .map(|mut r| {
            let _ = r.body_mut().read_to_vec();
            r.status().as_u16() == 202
        })
        .unwrap_or(false)
}

fn alarms_and_lag(
    options: &Options,
    server_url: &str,
    report: &mut Report,
    runtime: &tokio::runtime::Runtime,
) {
    let seconds = options.http_seconds;
    let clients = 16;
    for instances in [1usize, 2] {
        let db = runtime
            .block_on(testing::fresh_database(server_url))
            .expect("database");
        let servers: Vec<Server> = (0..instances)
            .map(|i| {
                let dir = options.dir.join(format!("pg-{instances}-{i}"));
                std::fs::create_dir_all(&dir).expect("dir");
                Server::start_with(&dir, &[("SERVICEDESK_EVENT_STORE", &db)])
            })
            .collect();
        let key = register(&servers[0]);
        // every instance knows the key before the load starts
        let head = agent()
            .get(format!("{}/healthz", servers[0].base))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
            .and_then(|h| h["log_head"].as_u64())
            .unwrap_or(0);
        for server in &servers {
            let token = server.token(Role::Agent);
            let _ = agent()
                .get(format!("{}/api/v1/incidents?limit=1", server.base))
                .header("Authorization", &format!("Bearer {token}"))
                .header("Servicedesk-Min-Position", &head.to_string())
                .call();
        }
        println!("\n(p3) alarm webhooks, 20 a post x {clients} connections for {seconds}s on {instances} instance(s) of one database");
        let stop = AtomicBool::new(false);
        let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
        let (load, lags) = std::thread::scope(|s| {
            let lag = s.spawn(|| follower_lag(&servers, &stop));
            let load = crate::closed_loop::run(clients, seconds, |client, n| {
                let base = &bases[(n as usize) % bases.len()];
                post(client, base, &key, &alarm_post(n))
            });
            stop.store(true, Ordering::Relaxed);
            (load, lag.join().expect("lag probe"))
        });
        let alerts = rate(load.latencies.len() * 20, load.seconds);
        report.add(
            &format!("(p3) alarm ingest, {instances} instance(s)"),
            format!(
                "{alerts:.0} alerts/s, p50 {:.2} ms, p99 {:.2} ms, {} failed",
                percentile_ms(&load.latencies, 0.5),
                percentile_ms(&load.latencies, 0.99),
                load.failures
            ),
        );
        let mut lags = lags;
        lags.sort_unstable();
        report.add(
            &format!(
                "(p4) commit to read model{}, under that load",
                if instances == 2 {
                    " on the other instance"
                } else {
                    ""
                }
            ),
            format!(
                "{} samples, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                lags.len(),
                percentile_ms(&lags, 0.5),
                percentile_ms(&lags, 0.99),
                percentile_ms(&lags, 1.0)
            ),
        );
    }
}

/// Opens incidents on the first instance; each, once acknowledged (with its position), is
/// read on the last instance with `Servicedesk-Min-Position`, which answers as soon as that
/// instance's read models include it. The time from the acknowledgement to that answer is the
/// follower lag (one local HTTP round trip included).
fn follower_lag(servers: &[Server], stop: &AtomicBool) -> Vec<u64> {
    let client = agent();
    let (writer, reader) = (&servers[0], &servers[servers.len() - 1]);
    let (write_token, read_token) = (writer.token(Role::Agent), reader.token(Role::Agent));
    let mut samples = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut created) = client
            .post(format!("{}/api/v1/incidents", writer.base))
            .header("Authorization", &format!("Bearer {write_token}"))
            .send_json(json!({"title": "lag probe"}))
        else {
            continue;
        };
        let acknowledged = Instant::now();
        let position = created
            .headers()
            .get("servicedesk-position")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("0")
            .to_owned();
        let id = created.body_mut().read_json::<Value>().expect("json")["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let read = client
            .get(format!("{}/api/v1/incidents/{id}", reader.base))
            .header("Authorization", &format!("Bearer {read_token}"))
            .header("Servicedesk-Min-Position", &position)
            .call();
        if read.is_ok_and(|r| r.status().as_u16() == 200) {
            samples.push(acknowledged.elapsed().as_micros() as u64);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    samples
}
