//! Throughput of the SQLite store under many concurrent appenders, against the ceiling of
//! plain batched inserts. Ignored by default; run with
//! `cargo test -p servicedesk-store --release --test sqlite_bench -- --ignored --nocapture`.
//! `BENCH_APPENDS` sets appends per appender (default 2000); `BENCH_CEILING=0` skips the
//! ceiling runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::DateTime;
use servicedesk_store::{Actor, EventStore, ExpectedVersion, NewEvent, SystemClock};
use servicedesk_store_sqlite::{bench, SqliteEventStore};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use uuid::Uuid;

const APPENDERS: usize = 64;

fn event(n: usize) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "bench.happened".to_owned(),
        schema_version: 1,
        occurred_at: DateTime::from_timestamp_micros(1_766_000_000_000_000).unwrap(),
        actor: Actor::user("bench"),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
        data: format!(r#"{{"n":{n},"title":"printer on fire","priority":"high"}}"#),
    }
}

fn wal_bytes(path: &Path) -> u64 {
    std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len())
}

/// Returns appends per second.
async fn store_run(dir: &TempDir, name: &str, appends: usize) -> f64 {
    let path = dir.path().join(format!("{name}.db"));
    let store = Arc::new(SqliteEventStore::open(&path, Arc::new(SystemClock)).unwrap());
    let started = Instant::now();
    let tasks: Vec<_> = (0..APPENDERS)
        .map(|a| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let stream = format!("incident-{a}");
                for n in 0..appends {
                    let expected = match n {
                        0 => ExpectedVersion::NoStream,
                        n => ExpectedVersion::Exact(n as u64 - 1),
                    };
                    store
                        .append(&stream, expected, vec![event(n)])
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let wal = wal_bytes(&path);
    let stats = store.write_stats();
    store.close().await.unwrap();
    let rate = report(name, elapsed, APPENDERS * appends, wal);
    let per = |total: Duration, n: u64| total.as_secs_f64() * 1e6 / n.max(1) as f64;
    println!(
        "{:<28} {} batches ({:.1} appends, {:.0} µs each), {} fsyncs ({:.2} batches, {:.0} µs each)",
        "",
        stats.batches,
        stats.requests as f64 / stats.batches.max(1) as f64,
        per(stats.commit_time, stats.batches),
        stats.syncs,
        stats.batches as f64 / stats.syncs.max(1) as f64,
        per(stats.sync_time, stats.syncs),
    );
    rate
}

fn report(name: &str, elapsed: Duration, events: usize, wal: u64) -> f64 {
    let rate = events as f64 / elapsed.as_secs_f64();
    println!(
        "{name:<28} {events} events in {:>8.3}s = {rate:>9.0}/s, WAL at end {:.1} MiB",
        elapsed.as_secs_f64(),
        wal as f64 / 1_048_576.0
    );
    rate
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn group_commit_throughput() {
    let appends: usize = std::env::var("BENCH_APPENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = TempDir::new().unwrap();
    let rows: Vec<(String, NewEvent)> = (0..appends)
        .flat_map(|n| (0..APPENDERS).map(move |a| (format!("incident-{a}"), event(n))))
        .collect();
    // BENCH_CEILING=0 skips the ceiling, e.g. to profile the store alone.
    let ceiling = std::env::var("BENCH_CEILING").map_or(true, |v| v != "0");
    let mut raw_4096 = None;
    for batch in [64, 4096].into_iter().filter(|_| ceiling) {
        let path = dir.path().join(format!("raw-{batch}.db"));
        let elapsed = bench::raw_batched_inserts(&path, &rows, batch).unwrap();
        let rate = report(
            &format!("raw batched inserts ({batch})"),
            elapsed,
            rows.len(),
            wal_bytes(&path),
        );
        raw_4096 = Some(rate);
    }
    let mut best: f64 = 0.0;
    for round in 0..2 {
        best = best.max(store_run(&dir, &format!("store #{round}"), appends).await);
    }
    if let Some(ceiling) = raw_4096 {
        println!(
            "best store run: {:.0}% of the 4096-row ceiling",
            100.0 * best / ceiling
        );
    }
}
