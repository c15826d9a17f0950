//! PostgreSQL restarting under load: writes in flight get a 503 with Retry-After (never a
//! hang, never a 500), nothing acknowledged is lost, and the instance recovers by itself. The
//! test starts a PostgreSQL of its own (`.ci/postgres`), since it restarts it.

use crate::support::spawn_instance;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct OwnPostgres {
    env: HashMap<String, String>,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/postgres")
}

impl OwnPostgres {
    fn start() -> Result<Self, String> {
        let out = Command::new(script())
            .arg("start")
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ok(Self { env })
    }

    fn url(&self) -> &str {
        &self.env["SERVICEDESK_TEST_POSTGRES_URL"]
    }

    fn run(&self, what: &str) {
        let status = Command::new(script())
            .arg(what)
            .envs(&self.env)
            .status()
            .unwrap();
        assert!(status.success(), ".ci/postgres {what}");
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").envs(&self.env).status();
    }
}

#[test]
fn a_postgres_restart_under_load_is_503_then_recovers_and_loses_nothing() {
    let postgres = match OwnPostgres::start() {
        Ok(postgres) => postgres,
        Err(reason) => {
            eprintln!("DID NOT RUN: cannot start a PostgreSQL of its own: {reason}");
            return;
        }
    };
    let app = Arc::new(spawn_instance(postgres.url(), &[]));
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let outcomes = Arc::new(Mutex::new(HashMap::<u16, usize>::new()));
    let writers: Vec<_> = (0..4)
        .map(|n| {
            let (app, stop) = (app.clone(), stop.clone());
            let (acknowledged, outcomes) = (acknowledged.clone(), outcomes.clone());
            std::thread::spawn(move || {
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    let reply = app.post(
                        "/api/v1/incidents",
                        &json!({"title": format!("during restart {n}-{k}"), "customer": "acme"}),
                    );
                    *outcomes.lock().unwrap().entry(reply.status).or_default() += 1;
                    match reply.status {
                        201 => acknowledged
                            .lock()
                            .unwrap()
                            .push(reply.json()["id"].as_str().unwrap().to_owned()),
                        503 => {
                            assert!(
                                reply.header("retry-after").is_some(),
                                "503 without Retry-After"
                            );
                            let problem = reply.problem(503);
                            assert!(
                                problem["detail"].as_str().unwrap().contains("retry"),
                                "{problem}"
                            );
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        other => panic!("{other} during the restart: {}", reply.body),
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1000));
    postgres.run("restart");
    std::thread::sleep(Duration::from_millis(2000));
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let outcomes = outcomes.lock().unwrap().clone();
    assert!(
        outcomes.get(&503).copied().unwrap_or(0) > 0,
        "the restart went unnoticed: {outcomes:?}"
    );

    // it recovers by itself
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let reply = app.post("/api/v1/incidents", &json!({"title": "after the restart"}));
        if reply.status == 201 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not recovered: {} {}",
            reply.status,
            reply.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // and everything it acknowledged is there
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 10, "{outcomes:?}");
    for id in &acknowledged {
        let reply = app.get(&format!("/api/v1/incidents/{id}"));
        assert_eq!(reply.status, 200, "acknowledged incident {id} is gone");
        let incident: Value = reply.json();
        assert!(incident["title"]
            .as_str()
            .unwrap()
            .starts_with("during restart"));
    }
    assert_eq!(app.get("/readyz").status, 200);
}
