use crate::support::{spawn_app, start};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Writers hammer the server; it dies by SIGKILL (or stops by SIGTERM) mid-load. After a
/// restart every write that got a 201 is there, in the log and in the read models.
fn acknowledged_writes_survive(hard: bool) {
    let mut app = spawn_app();
    let acked = Mutex::new(Vec::<String>::new());
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for w in 0..8 {
            let (app, acked, stop) = (&app, &acked, &stop);
            s.spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let body =
                        serde_json::to_vec(&json!({"title": format!("load {w}-{i}")})).unwrap();
                    let url = "/api/v1/incidents";
                    // after the kill, requests fail at the transport: stop quietly
                    let Ok(reply) = app.try_request(
                        "POST",
                        url,
                        Some(&app.token),
                        &[],
                        Some(("application/json", body)),
                    ) else {
                        break;
                    };
                    if reply.status == 201 {
                        acked
                            .lock()
                            .unwrap()
                            .push(reply.json()["id"].as_str().unwrap().to_owned());
                    }
                    i += 1;
                }
            });
        }
        while acked.lock().unwrap().len() < 300 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        if hard {
            let pid = app.pid();
            let status = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap();
            assert!(status.success());
        } else {
            let pid = app.pid();
            let status = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .unwrap();
            assert!(status.success());
        }
        stop.store(true, Ordering::Relaxed);
    });
    if hard {
        app.kill_hard();
    } else {
        app.stop();
    }
    let acked = acked.into_inner().unwrap();
    assert!(acked.len() >= 300);

    let restarted = start(&app.dir);
    for id in &acked {
        let reply = restarted.get(&format!("/api/v1/incidents/{id}"));
        assert_eq!(
            reply.status, 200,
            "acknowledged incident {id} lost after restart"
        );
    }
    let head = restarted.log_head();
    assert!(head >= acked.len() as u64);
    // read models caught up with everything durable, acknowledged or not
    let metrics = restarted.get_as("/metrics", None).body;
    assert!(
        metrics.contains("servicedesk_projection_lag_events 0"),
        "{metrics}"
    );
}

#[test]
fn kill_9_during_write_load_loses_no_acknowledged_incident() {
    acknowledged_writes_survive(true);
}

#[test]
fn sigterm_during_write_load_finishes_cleanly_and_loses_nothing() {
    acknowledged_writes_survive(false);
}
