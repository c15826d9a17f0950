//! Several servicedesk processes on one PostgreSQL log, as behind a load balancer: a write on
//! one is read on the other, an alarm storm delivered to both opens each incident once, and
//! killing one (kill -9) under load loses nothing it acknowledged while the other takes over
//! the alarm reactor. Runs on the server of `SERVICEDESK_TEST_POSTGRES_URL`; without it, each
//! test says that it did not run.

use crate::support::{fresh_postgres_database, spawn_instance, TestApp};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn database() -> Option<String> {
    match fresh_postgres_database() {
        Ok(url) => Some(url),
        Err(reason) => {
            eprintln!("DID NOT RUN: {reason}");
            None
        }
    }
}

fn position_of(reply: &crate::support::Reply) -> String {
    reply
        .header("servicedesk-position")
        .unwrap_or_else(|| panic!("no Servicedesk-Position on the answer: {:?}", reply.headers))
        .to_owned()
}

fn get_at(app: &TestApp, path: &str, position: &str) -> crate::support::Reply {
    app.request(
        "GET",
        path,
        Some(&app.token),
        &[("Servicedesk-Min-Position", position)],
        None,
    )
}

#[test]
fn a_write_on_one_instance_is_read_on_the_other() {
    let Some(url) = database() else { return };
    let a = spawn_instance(&url, &[]);
    let b = spawn_instance(&url, &[]);
    let created = a.post(
        "/api/v1/incidents",
        &json!({"title": "VPN down", "customer": "acme", "impact": "high", "urgency": "high"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let position = position_of(&created);

    let read = get_at(&b, &format!("/api/v1/incidents/{id}"), &position);
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json()["title"], "VPN down");
    assert!(
        read.header("servicedesk-position")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= position.parse::<u64>().unwrap()
    );
    let listed = get_at(&b, "/api/v1/incidents?customer=acme", &position);
    assert_eq!(listed.json()["items"].as_array().unwrap().len(), 1);

    // a change on b is seen by a the same way, If-Match and all
    let assigned = b.send_with(
        "POST",
        &format!("/api/v1/incidents/{id}/assign"),
        &json!({"assignment_group": "network", "assignee": "bob"}),
        &[("If-Match", "\"0\"")],
    );
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    let seen = get_at(
        &a,
        &format!("/api/v1/incidents/{id}"),
        &position_of(&assigned),
    );
    assert_eq!(seen.json()["assignee"], "bob");

    // a position that is not a number is refused plainly
    let bad = get_at(&a, "/api/v1/incidents", "soon");
    let problem = bad.problem(400);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Servicedesk-Min-Position"));
}

#[test]
fn a_position_an_instance_has_not_reached_is_a_503_to_retry() {
    let Some(url) = database() else { return };
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), "[http]\nread_your_writes_timeout_ms = 200\n").unwrap();
    let a = spawn_instance(
        &url,
        &[("SERVICEDESK_CONFIG", config.path().to_str().unwrap())],
    );
    let reply = get_at(&a, "/api/v1/incidents", "1000000");
    let problem = reply.problem(503);
    assert!(reply.header("retry-after").is_some());
    assert!(problem["detail"].as_str().unwrap().contains("1000000"));
}

fn generic_key(app: &TestApp) -> String {
    app.register_integration(&json!({
        "name": "fleet", "kind": "generic", "defaults": {"customer": "acme"}
    }))
}

fn send_alarms(app: &TestApp, key: &str, alarms: &Value) -> u16 {
    app.request(
        "POST",
        "/api/v1/alarms",
        Some(key),
        &[],
        Some(("application/json", serde_json::to_vec(alarms).unwrap())),
    )
    .status
}

fn incidents_at(app: &TestApp, position: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut path = "/api/v1/incidents?customer=acme&limit=200".to_owned();
    loop {
        let page = get_at(app, &path, position).json();
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/incidents?customer=acme&limit=200&cursor={cursor}")
            }
            None => return all,
        }
    }
}

/// Waits until `check` holds on the incidents `app` shows (the reactor works after the
/// webhook answered).
fn eventually(app: &TestApp, what: &str, check: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let head = app.log_head().to_string();
        let now = incidents_at(app, &head);
        if check(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: {} incidents", now.len());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_alarm_storm_delivered_to_both_instances_opens_each_incident_once() {
    let Some(url) = database() else { return };
    let a = Arc::new(spawn_instance(&url, &[]));
    let b = Arc::new(spawn_instance(&url, &[]));
    let key = generic_key(&a);
    // b knows the key once it has read the registration; an automation waits for that the
    // way any client reads its write on another instance
    assert_eq!(
        get_at(&b, "/api/v1/incidents", &a.log_head().to_string()).status,
        200
    );
    const HOSTS: usize = 12;
    const ALARMS_PER_HOST: usize = 4;
    // Every alarm three times, to both instances at once: raises race repeats across them.
    let senders: Vec<_> = (0..6)
        .map(|n| {
            let (app, key) = (if n % 2 == 0 { a.clone() } else { b.clone() }, key.clone());
            std::thread::spawn(move || {
                for host in 0..HOSTS {
                    let alarms: Vec<Value> = (0..ALARMS_PER_HOST)
                        .map(|k| json!({
                            "fingerprint": format!("h{host}-check{k}"), "severity": "critical",
                            "summary": format!("check {k} failing on h{host}"), "host": format!("h{host}")
                        }))
                        .collect();
                    assert_eq!(send_alarms(&app, &key, &json!(alarms)), 202);
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    let settled = |incidents: &[Value]| {
        incidents.len() >= HOSTS
            && incidents
                .iter()
                .map(|i| i["monitoring"]["alarms"].as_array().map_or(0, |a| a.len()))
                .sum::<usize>()
                == HOSTS * ALARMS_PER_HOST
    };
    let on_a = eventually(&a, "one incident per host with all its alarms", settled);
    assert_eq!(
        on_a.len(),
        HOSTS,
        "one incident per host's storm, none twice"
    );
    let hosts: HashSet<&str> = on_a
        .iter()
        .map(|i| i["configuration_item"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(hosts.len(), HOSTS, "{hosts:?}");
    // and b shows the same
    let on_b = eventually(&b, "b agrees", settled);
    let ids = |list: &[Value]| {
        list.iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect::<HashSet<_>>()
    };
    assert_eq!(ids(&on_a), ids(&on_b));
}

#[test]
fn killing_one_instance_under_load_loses_nothing_it_acknowledged() {
    let Some(url) = database() else { return };
    // a starts first, so a holds the alarm reactor's lease; b has to take it over
    let a = Arc::new(Mutex::new(spawn_instance(&url, &[])));
    std::thread::sleep(Duration::from_millis(500));
    let b = Arc::new(spawn_instance(&url, &[]));
    let (a_base, a_token) = {
        let a = a.lock().unwrap();
        (a.base.clone(), a.token.clone())
    };
    let key = generic_key(&b);
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..4)
        .map(|n| {
            let (b, stop, acknowledged) = (b.clone(), stop.clone(), acknowledged.clone());
            let (a_base, a_token) = (a_base.clone(), a_token.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    let title = format!("load {n}-{k}");
                    let (base, token) = if k % 2 == 0 {
                        (a_base.as_str(), a_token.as_str())
                    } else {
                        (b.base.as_str(), b.token.as_str())
                    };
                    let sent = agent
                        .post(format!("{base}/api/v1/incidents"))
                        .header("Authorization", format!("Bearer {token}"))
                        .send_json(json!({"title": title, "customer": "load"}));
                    if let Ok(mut reply) = sent {
                        if reply.status() == 201 {
                            let body: Value = reply.body_mut().read_json().unwrap();
                            acknowledged
                                .lock()
                                .unwrap()
                                .push(body["id"].as_str().unwrap().to_owned());
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    a.lock().unwrap().kill_hard();
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "too little load to mean anything: {}",
        acknowledged.len()
    );

    // b has every incident either instance acknowledged
    let head = b.log_head().to_string();
    for id in &acknowledged {
        let reply = get_at(&b, &format!("/api/v1/incidents/{id}"), &head);
        assert_eq!(
            reply.status, 200,
            "acknowledged incident {id} is gone: {}",
            reply.body
        );
    }
    // and b took over the reactor: a new alarm still opens an incident
    assert_eq!(
        send_alarms(
            &b,
            &key,
            &json!([{"fingerprint": "after-kill", "severity": "critical", "summary": "still watched", "host": "survivor"}])
        ),
        202
    );
    eventually(
        &b,
        "the alarm after the kill opens an incident",
        |incidents| {
            incidents
                .iter()
                .any(|i| i["configuration_item"] == "survivor")
        },
    );
}
