//! Seeds the log with realistic incident histories through the store, then measures (c): a full
//! projection rebuild into the read model the HTTP benchmark serves from.

use crate::incidents::history;
use crate::report::{rate, Report};
use crate::Options;
use servicedesk_projections::rebuild;
use servicedesk_store::{EventStore, ExpectedVersion, SystemClock};
use servicedesk_store_sqlite::SqliteEventStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

const SEEDERS: usize = 256;

pub async fn run(options: &Options, report: &mut Report) -> PathBuf {
    let data_dir = options.dir.join("server");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let store: Arc<dyn EventStore> = Arc::new(
        SqliteEventStore::open(&data_dir.join("events.db"), Arc::new(SystemClock)).expect("open"),
    );
    println!(
        "\n(seed) {} incidents through the store, {SEEDERS} concurrent writers",
        options.incidents
    );
    let started = Instant::now();
    let per_task = options.incidents.div_ceil(SEEDERS);
    let base = chrono::Utc::now() - chrono::Duration::days(90);
    let tasks: Vec<_> = (0..SEEDERS)
        .map(|t| {
            let store = store.clone();
            let total = options.incidents;
            tokio::spawn(async move {
                let mut events = 0usize;
                for i in 0..per_task {
                    let n = t * per_task + i;
                    if n >= total {
                        break;
                    }
                    let at = base + chrono::Duration::seconds(n as i64 * 7);
                    let (id, history) = history(n as u64, at);
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
    let seeded = started.elapsed().as_secs_f64();
    report.add(
        "(seed) incident histories appended",
        format!(
            "{} incidents, {events} events in {seeded:.1}s ({:.0} events/s)",
            options.incidents,
            rate(events, seeded)
        ),
    );

    println!("\n(c) projection rebuild of the whole log");
    let result = rebuild(store.clone(), &data_dir.join("readmodel.db"))
        .await
        .expect("rebuild");
    let secs = result.elapsed.as_secs_f64();
    report.add(
        "(c) projection rebuild",
        format!(
            "{} events in {secs:.1}s = {:.0} events/s",
            result.events,
            rate(result.events as usize, secs)
        ),
    );
    store.close().await.expect("close");
    data_dir
}
