//! (e) free-text search over the seeded incidents (`GET /api/v1/incidents?q=`), newest first:
//! a word every incident holds and a rarer one, each as a first page and as a later page
//! reached through cursors. Searching clients only, as fast as they can.

use crate::report::{percentile_ms, rate, Report};
use crate::server::Server;
use crate::Options;
use servicedesk_api::Role;
use std::path::Path;

/// (label, word): "alarm" is in every seeded title; "replication" in about one in twelve.
const WORDS: [(&str, &str); 2] = [("common word", "alarm"), ("rarer word", "replication")];
const LIMIT: usize = 50;
/// The later page measured: this many pages in, through cursors.
const DEEP_PAGE: usize = 20;

pub fn run(options: &Options, data_dir: &Path, report: &mut Report) {
    let server = Server::start(data_dir);
    let token = server.token(Role::Agent);
    let seconds = options.search_seconds;
    println!(
        "\n(e) search against {} incidents: {} searching clients for {seconds}s per case",
        options.incidents, options.listers
    );
    for (label, word) in WORDS {
        let first = format!("{}/api/v1/incidents?q={word}&limit={LIMIT}", server.base);
        let mut url = first.clone();
        for _ in 1..DEEP_PAGE {
            let next = next_cursor(&url, &token).expect("a later page");
            url = format!("{first}&cursor={next}");
        }
        for (page, url) in [("first page", &first), ("page 20 (cursor)", &url)] {
            let (mut samples, errors, elapsed) = load(url, &token, options.listers, seconds);
            samples.sort_unstable();
            report.add(
                &format!("(e) search {label} q={word}, {page}"),
                format!(
                    "{} requests, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {errors} failed",
                    samples.len(),
                    rate(samples.len(), elapsed),
                    percentile_ms(&samples, 0.50),
                    percentile_ms(&samples, 0.99),
                    percentile_ms(&samples, 1.0)
                ),
            );
        }
    }
    drop(server);
}

fn next_cursor(url: &str, token: &str) -> Option<String> {
    let mut reply = crate::server::agent()
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .ok()?;
    let page: serde_json::Value =
        serde_json::from_slice(&reply.body_mut().read_to_vec().ok()?).ok()?;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(LIMIT));
    page["next_cursor"].as_str().map(str::to_owned)
}

fn load(url: &str, token: &str, clients: usize, seconds: u64) -> (Vec<u64>, usize, f64) {
    let run = crate::closed_loop::run(clients, seconds, |agent, _| {
        crate::server::get_ok(agent, url, token)
    });
    (run.latencies, run.failures, run.seconds)
}
