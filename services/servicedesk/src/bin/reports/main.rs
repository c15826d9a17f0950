//! `servicedesk-reports`: the monthly SLA reporting job, for cron. Asks a running servicedesk
//! (over its REST API, as a `reporter`) for each customer's SLA report of a month and writes
//! it into a directory as `<month>/<customer>.json`, `<customer>.csv` (figures) and
//! `<customer>-breaches.csv`. Each file is written whole or not at all (a temporary file,
//! renamed), so a half-run job never leaves a torn report.
//!
//! ```text
//! SERVICEDESK_TOKEN=$(servicedesk token issue --sub reports --role reporter --ttl 1h) \
//!   servicedesk-reports --url http://127.0.0.1:8080 --out /srv/reports            # last month
//! servicedesk-reports --month 2026-11 --customer acme --out /srv/reports
//! ```

mod month;
mod progress;
mod writer;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "servicedesk-reports",
    about = "Writes each customer's monthly SLA report"
)]
struct Args {
    /// The servicedesk to ask.
    #[arg(long, env = "SERVICEDESK_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// A bearer token with a read role (`reporter`).
    #[arg(long, env = "SERVICEDESK_TOKEN", hide_env_values = true)]
    token: String,
    /// The month, as 2026-11 (default: the last full month, UTC).
    #[arg(long)]
    month: Option<String>,
    /// Only these customers (repeatable; default: every registered customer).
    #[arg(long = "customer")]
    customers: Vec<String>,
    /// Where the reports go; `<out>/<month>/` is created.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(failed) => {
            eprintln!("servicedesk-reports: {failed} report(s) failed");
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("servicedesk-reports: {message}");
            ExitCode::from(2)
        }
    }
}

/// The number of customers whose report failed; Err when nothing could be done.
fn run(args: Args) -> Result<usize, String> {
    let month = match &args.month {
        Some(text) => month::Month::parse(text)?,
        None => month::Month::last_full(chrono::Utc::now()),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let client = writer::Client {
        agent,
        base: args.url.trim_end_matches('/').to_owned(),
        token: args.token,
    };
    let customers = if args.customers.is_empty() {
        client.customers()?
    } else {
        args.customers
    };
    let dir = args.out.join(month.to_string());
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut progress = progress::Progress::new(customers.len() as u64, &month.to_string());
    let mut failed = 0;
    for customer in &customers {
        if let Err(e) = client.write_report(&dir, &month, customer) {
            progress.println(&format!("{customer}: {e}"));
            failed += 1;
        }
        progress.step(customer);
    }
    progress.finish(customers.len() - failed, &dir);
    Ok(failed)
}
