//! Choosing the event log by URL: what an operator sees when the setting is wrong.

use crate::support::{BIN, SECRET};
use std::process::Command;
use std::time::{Duration, Instant};

/// Starts `serve` with this event store and returns (exited unsuccessfully, stderr).
fn serve_with(event_store: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(BIN)
        .arg("serve")
        .env("SERVICEDESK_DATA_DIR", dir.path())
        .env("SERVICEDESK_LISTEN", "127.0.0.1:0")
        .env("SERVICEDESK_JWT_SECRET", SECRET)
        .env("SERVICEDESK_EVENT_STORE", event_store)
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a bad event store must fail the start promptly, not hang"
    );
    (
        !out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_scheme_names_the_setting_and_the_choices() {
    let (failed, stderr) = serve_with("mysql://root:hunter2@db/servicedesk");
    assert!(failed);
    assert!(stderr.contains("SERVICEDESK_EVENT_STORE"), "{stderr}");
    assert!(stderr.contains("postgres://"), "{stderr}");
    assert!(
        !stderr.contains("hunter2"),
        "the password is not printed: {stderr}"
    );
}

#[test]
fn an_unreachable_postgres_names_the_setting_and_the_server() {
    // a port nothing listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (failed, stderr) = serve_with(&format!(
        "postgres://servicedesk@127.0.0.1:{port}/servicedesk"
    ));
    assert!(failed);
    assert!(stderr.contains("SERVICEDESK_EVENT_STORE"), "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}/servicedesk")),
        "{stderr}"
    );
    assert!(stderr.contains("cannot connect"), "{stderr}");
}

#[test]
fn a_malformed_postgres_url_is_refused_plainly() {
    let (failed, stderr) = serve_with("postgres://u@h:notaport/db");
    assert!(failed);
    assert!(stderr.contains("SERVICEDESK_EVENT_STORE"), "{stderr}");
    assert!(
        stderr.contains("not a PostgreSQL connection URL"),
        "{stderr}"
    );
}

#[cfg(not(feature = "kurrentdb"))]
#[test]
fn kurrentdb_in_a_build_without_it_says_how_to_build_it() {
    let (failed, stderr) = serve_with("kurrentdb://127.0.0.1:2113?tls=false");
    assert!(failed);
    assert!(stderr.contains("--features kurrentdb"), "{stderr}");
}

/// A data dir pointed at another event log must not show the read models of the first: they
/// are rebuilt from the log it now uses (and back again).
#[test]
fn read_models_follow_the_log_the_data_dir_is_pointed_at() {
    let database = match crate::support::fresh_postgres_database() {
        Ok(url) => url,
        Err(reason) => {
            eprintln!("DID NOT RUN: {reason}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let titles = |app: &crate::support::TestApp| -> Vec<String> {
        app.get("/api/v1/incidents").json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    // the embedded log (an empty setting overrides a suite-wide backend)
    let mut sqlite = crate::support::start_with(dir.path(), &[("SERVICEDESK_EVENT_STORE", "")]);
    sqlite.open_simple("on sqlite");
    assert_eq!(titles(&sqlite), vec!["on sqlite"]);
    sqlite.stop();

    let mut postgres =
        crate::support::start_with(dir.path(), &[("SERVICEDESK_EVENT_STORE", &database)]);
    assert!(
        titles(&postgres).is_empty(),
        "the other log's incidents are not shown"
    );
    postgres.open_simple("on postgres");
    assert_eq!(titles(&postgres), vec!["on postgres"]);
    postgres.stop();

    let sqlite = crate::support::start_with(dir.path(), &[("SERVICEDESK_EVENT_STORE", "")]);
    assert_eq!(titles(&sqlite), vec!["on sqlite"]);
}
