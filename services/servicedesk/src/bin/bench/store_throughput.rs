//! (a) the ceiling: plain batched inserts of the same rows; (b) the store under 64 concurrent
//! single-event appenders, each append acknowledged only once durable.

use crate::incidents::{envelope, open_command};
use crate::report::{rate, Report};
use crate::Options;
use servicedesk_domain::incident::{decide, DecisionContext, IncidentCommand, IncidentId};
use servicedesk_domain::PriorityMatrix;
use servicedesk_store::{EventStore, ExpectedVersion, NewEvent, SystemClock};
use servicedesk_store_sqlite::{bench, SqliteEventStore};
use std::sync::Arc;
use std::time::Instant;

const APPENDERS: usize = 64;

pub fn opened_events(count: usize) -> Vec<(String, NewEvent)> {
    let now = chrono::Utc::now();
    let ctx = DecisionContext {
        now,
        priority_matrix: PriorityMatrix::default(),
    };
    (0..count as u64)
        .map(|n| {
            let id = IncidentId(uuid::Uuid::now_v7());
            let events =
                decide(None, &IncidentCommand::Open(open_command(n, id)), &ctx).expect("open");
            (id.stream(), envelope(&events[0], now))
        })
        .collect()
}

/// `appenders` tasks take the next event from one queue and append it (a new stream each, as
/// concurrent clients opening incidents would: their ids are minted in time order); returns
/// the seconds until every append was durable.
pub async fn append_concurrently<S: EventStore + ?Sized>(
    store: Arc<S>,
    events: Vec<(String, NewEvent)>,
    appenders: usize,
) -> f64 {
    let queue = Arc::new(std::sync::Mutex::new(events.into_iter()));
    let started = Instant::now();
    let tasks: Vec<_> = (0..appenders)
        .map(|_| {
            let (store, queue) = (store.clone(), queue.clone());
            tokio::spawn(async move {
                loop {
                    let next = queue.lock().expect("queue").next();
                    let Some((stream, event)) = next else { break };
                    store
                        .append(&stream, ExpectedVersion::NoStream, vec![event])
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("appender");
    }
    started.elapsed().as_secs_f64()
}

pub async fn run(options: &Options, report: &mut Report) {
    let count = options.store_events - options.store_events % APPENDERS;
    println!(
        "\n(a) raw SQLite batched inserts, {count} IncidentOpened rows, WAL + synchronous=FULL"
    );
    let events = opened_events(count);
    let avg = events.iter().map(|(_, e)| e.data.len()).sum::<usize>() / count.max(1);
    println!("  average event data: {avg} bytes");
    let mut ceilings = Vec::new();
    for batch in [64, 4096] {
        let path = options.dir.join(format!("raw-{batch}.db"));
        let elapsed = bench::raw_batched_inserts(&path, &events, batch).expect("raw inserts");
        let r = rate(count, elapsed.as_secs_f64());
        ceilings.push(r);
        report.add(
            &format!("(a) raw inserts, {batch} rows/transaction"),
            format!("{r:.0} events/s"),
        );
    }

    println!(
        "\n(b) SqliteEventStore::append, {APPENDERS} concurrent single-event appenders, durable"
    );
    let path = options.dir.join("store.db");
    let store = Arc::new(SqliteEventStore::open(&path, Arc::new(SystemClock)).expect("open store"));
    // The appenders take the next event from one queue, as concurrent clients opening
    // incidents now would: their ids (UUID v7) are minted in time order, so appends land near
    // the end of the (stream, version) index, as in (a). Giving each appender a fixed slice of
    // ids minted in advance instead would make every append touch a distant index page,
    // which is what appends to 64 long-lived streams cost (see the README).
    let elapsed = append_concurrently(store.clone(), events, APPENDERS).await;
    let stats = store.write_stats();
    store.close().await.expect("close");
    println!(
        "  writer: {:.1} appends per transaction, {:.1} transactions per fsync, writer busy {:.0}%, {:.1} us per event in commits, fsync {:.0} us on average",
        stats.requests as f64 / stats.batches.max(1) as f64,
        stats.batches as f64 / stats.syncs.max(1) as f64,
        stats.commit_time.as_secs_f64() * 100.0 / elapsed,
        stats.commit_time.as_secs_f64() * 1e6 / count as f64,
        stats.sync_time.as_secs_f64() * 1e6 / stats.syncs.max(1) as f64
    );
    let r = rate(count, elapsed);
    report.add(
        "(b) store appends, 64 appenders",
        format!("{r:.0} events/s"),
    );
    report.add(
        "(b)/(a) ratio",
        format!(
            "{:.2} of the 64-row ceiling, {:.2} of the 4096-row ceiling",
            r / ceilings[0],
            r / ceilings[1]
        ),
    );
}
