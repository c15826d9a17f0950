//! Every accepted alarm is durable, repeats included: a repeat is one entry of a batch's repeat
//! journal, not an event of its own, and counts as an occurrence after a kill -9 and after a
//! rebuild of the read models exactly as before.

use crate::support::{run_cli, spawn_app, start, TestApp};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SENDERS: usize = 6;

fn generic_key(app: &TestApp) -> String {
    app.register_integration(&json!({"name": "durability", "kind": "generic"}))
}

/// Occurrences of the alarm with this fingerprint, once the read models show at least `min`.
fn occurrences(app: &TestApp, fingerprint: &str, min: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reply = app.get(&format!("/api/v1/alarms/{fingerprint}"));
        let seen = reply.json()["items"][0]["occurrences"]
            .as_u64()
            .unwrap_or(0);
        if reply.status == 200 && seen >= min {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "{fingerprint}: {seen} occurrences, expected at least {min}: {}",
            reply.body
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn acknowledged_repeats_survive_kill_9_and_a_rebuild() {
    let mut app = spawn_app();
    let key = generic_key(&app);
    let acked: Vec<AtomicU64> = (0..SENDERS).map(|_| AtomicU64::new(0)).collect();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for sender in 0..SENDERS {
            let (app, key, acked, stop) = (&app, &key, &acked, &stop);
            s.spawn(move || {
                // One fingerprint per sender, so each has at most one delivery in flight.
                let body = serde_json::to_vec(&json!({
                    "severity": "warning", "summary": "disk filling up", "host": format!("db{sender}"),
                    "fingerprint": format!("durable-{sender}")
                }))
                .unwrap();
                while !stop.load(Ordering::Relaxed) {
                    let Ok(reply) = app.try_request(
                        "POST",
                        "/api/v1/alarms",
                        Some(key),
                        &[],
                        Some(("application/json", body.clone())),
                    ) else {
                        break; // the server is gone
                    };
                    if reply.status == 202 {
                        acked[sender].fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        while acked.iter().map(|a| a.load(Ordering::Relaxed)).sum::<u64>() < 600 {
            std::thread::sleep(Duration::from_millis(5));
        }
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &app.pid().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        stop.store(true, Ordering::Relaxed);
    });
    app.kill_hard();

    let restarted = start(&app.dir);
    let mut counted = Vec::new();
    for (sender, acked) in acked.iter().enumerate() {
        let acked = acked.load(Ordering::Relaxed);
        let fingerprint = format!("durable-{sender}");
        let seen = occurrences(&restarted, &fingerprint, acked);
        // At most the one delivery in flight at the kill was durable without its 202.
        assert!(
            seen <= acked + 1,
            "{fingerprint}: {seen} occurrences for {acked} acknowledged deliveries"
        );
        counted.push((fingerprint, seen));
    }
    let mut restarted = restarted;
    restarted.stop();

    let (ok, _, stderr) = run_cli(&app.dir, &["projections", "rebuild"]);
    assert!(ok, "{stderr}");
    let rebuilt = start(&app.dir);
    for (fingerprint, seen) in counted {
        assert_eq!(
            occurrences(&rebuilt, &fingerprint, 0),
            seen,
            "{fingerprint} after a rebuild"
        );
    }
}
