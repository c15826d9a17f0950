//! `servicedesk-bench`: the benchmark, in one run on one disk.
//!
//! (a) raw SQLite inserts of the same event rows in batched transactions (the ceiling),
//! (b) the store's durable append throughput from 64 concurrent single-event appenders,
//! (c) projection rebuild rate,
//! (d) p50/p99 latency of create-incident and filtered list-incidents over HTTP under
//!     concurrent load, with 1,000,000 incidents in the read model;
//! (e) free-text search over those incidents, newest first: first and later pages;
//! and issue 3's alarm webhook benchmark beside Alertmanager (`--alarms-only` runs just that).
//!
//! Build both binaries first: `cargo build --release --bins && ./target/release/servicedesk-bench`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod alarm_load;
mod closed_loop;
mod http_load;
mod incidents;
mod postgres;
mod report;
mod search_load;
mod seed;
mod server;
mod sla;
mod store_throughput;

use std::path::PathBuf;

pub struct Options {
    pub dir: PathBuf,
    pub incidents: usize,
    pub store_events: usize,
    pub http_seconds: u64,
    /// Keep the data dir afterwards (to inspect query plans on the seeded read model).
    pub keep: bool,
    /// Only (d) and (e), on the data a previous `--keep` run left.
    pub http_only: bool,
    /// Only the seeding, (c) and (e) (search).
    pub search_only: bool,
    pub search_seconds: u64,
    /// Only the alarm benchmark (issue 3).
    pub alarms_only: bool,
    /// Only (a) and (b), the store's appends against the raw ceiling.
    pub store_only: bool,
    pub creators: usize,
    pub listers: usize,
    /// The alarm load's shapes, each run against servicedesk and then Alertmanager:
    /// (alerts a post, concurrent connections).
    pub alarm_shapes: Vec<(usize, usize)>,
    /// Only issue 9's PostgreSQL benchmark, on the server at this URL.
    pub postgres: Option<String>,
    /// Only issue 10's SLA benchmark.
    pub sla_only: bool,
    /// Only its deadline rate, reports, simulation and breach lag, on the data a previous
    /// `--sla-only --keep` left.
    pub sla_reports_only: bool,
}

fn options() -> Options {
    let mut o = Options {
        dir: PathBuf::from("target/bench-data"),
        incidents: 1_000_000,
        store_events: 256_000,
        http_seconds: 20,
        keep: false,
        http_only: false,
        search_only: false,
        search_seconds: 5,
        alarms_only: false,
        store_only: false,
        creators: 8,
        listers: 8,
        alarm_shapes: vec![(20, 8), (1, 16), (1, 64)],
        postgres: None,
        sla_only: false,
        sla_reports_only: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        if [
            "--keep",
            "--http-only",
            "--search-only",
            "--alarms-only",
            "--store-only",
            "--sla-only",
            "--sla-reports-only",
        ]
        .contains(&args[i].as_str())
        {
            o.keep |= args[i] == "--keep";
            o.search_only |= args[i] == "--search-only";
            o.store_only |= args[i] == "--store-only";
            o.http_only |= args[i] == "--http-only";
            o.alarms_only |= args[i] == "--alarms-only";
            o.sla_only |= args[i] == "--sla-only";
            o.sla_reports_only |= args[i] == "--sla-reports-only";
            i += 1;
            continue;
        }
        match args[i].as_str() {
            "--dir" => o.dir = PathBuf::from(value),
            "--postgres" => o.postgres = Some(value),
            "--incidents" => o.incidents = value.parse().expect("--incidents N"),
            "--store-events" => o.store_events = value.parse().expect("--store-events N"),
            "--http-seconds" => o.http_seconds = value.parse().expect("--http-seconds N"),
            "--search-seconds" => o.search_seconds = value.parse().expect("--search-seconds N"),
            "--creators" => o.creators = value.parse().expect("--creators N"),
            "--listers" => o.listers = value.parse().expect("--listers N"),
            "--alarm-shapes" => {
                o.alarm_shapes = value
                    .split(',')
                    .map(|shape| {
                        let (per_post, connections) =
                            shape.split_once('x').expect("--alarm-shapes 20x8,1x16");
                        (
                            per_post.parse().expect("alerts a post"),
                            connections.parse().expect("connections"),
                        )
                    })
                    .collect()
            }
            other => panic!(
                "unknown argument {other}; known: --dir, --postgres <server url>, --incidents, --store-events, --http-seconds, --creators, --listers, --search-seconds, --alarm-shapes, --keep, --http-only, --search-only, --alarms-only, --store-only, --sla-only"
            ),
        }
        i += 2;
    }
    o
}

fn main() {
    let options = options();
    if options.http_only {
        let mut report = report::Report::default();
        http_load::run(&options, &options.dir.join("server"), &mut report);
        search_load::run(&options, &options.dir.join("server"), &mut report);
        report.print();
        return;
    }
    if options.sla_reports_only {
        let mut report = report::Report::default();
        sla::reports_only(&options, &mut report);
        report.print();
        return;
    }
    if options.dir.exists() {
        std::fs::remove_dir_all(&options.dir).expect("clear bench dir");
    }
    std::fs::create_dir_all(&options.dir).expect("create bench dir");
    if let Some(url) = &options.postgres {
        let mut report = report::Report::default();
        postgres::run(&options, url, &mut report);
        report.print();
        std::fs::remove_dir_all(&options.dir).ok();
        return;
    }
    if options.sla_only {
        let mut report = report::Report::default();
        sla::run(&options, &mut report);
        report.print();
        if !options.keep {
            std::fs::remove_dir_all(&options.dir).ok();
        }
        return;
    }
    if options.alarms_only {
        let mut report = report::Report::default();
        alarm_load::run(&options, &mut report);
        report.print();
        std::fs::remove_dir_all(&options.dir).ok();
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut report = report::Report::default();
    println!(
        "servicedesk benchmark in {} ({} cores)",
        options.dir.display(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    if options.search_only {
        let data_dir = runtime.block_on(seed::run(&options, &mut report));
        search_load::run(&options, &data_dir, &mut report);
        report.print();
        if !options.keep {
            std::fs::remove_dir_all(&options.dir).ok();
        }
        return;
    }
    runtime.block_on(store_throughput::run(&options, &mut report));
    if options.store_only {
        report.print();
        std::fs::remove_dir_all(&options.dir).ok();
        return;
    }
    let data_dir = runtime.block_on(seed::run(&options, &mut report));
    http_load::run(&options, &data_dir, &mut report);
    search_load::run(&options, &data_dir, &mut report);
    alarm_load::run(&options, &mut report);
    report.print();
    if !options.keep {
        std::fs::remove_dir_all(&options.dir).ok();
    }
}
