//! Notifications delivered by the real server to real HTTP receivers on the manual clock: an
//! SLA escalation queues a message per contact method in the same append; a flaky webhook is
//! retried with backoff and delivered once it answers (the same idempotency key each time, the
//! body signed); an SMS goes through an HTTP gateway in its template; a receiver that is down dead-letters after the last try, and a person's retry
//! through the API sends it again.

use crate::support::{spawn_app_with, TestApp};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "webhook-secret";

/// A request as received: its headers (names lower-cased) and body.
type Received = (Vec<(String, String)>, String);

/// A webhook receiver: fails the first `failures` requests with 500, then answers 204.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Received>>>,
    failures: Arc<AtomicUsize>,
}

impl Receiver {
    fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(failures));
        let (log, left) = (seen.clone(), failures.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = Vec::new();
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    let trimmed = line.trim_end();
                    if trimmed.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = trimmed.split_once(':') {
                        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                    }
                }
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                log.lock()
                    .unwrap()
                    .push((headers, String::from_utf8(body).unwrap()));
                let fail = left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let status = if fail {
                    "500 Internal Server Error"
                } else {
                    "204 No Content"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Self {
            url,
            seen,
            failures,
        }
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn wait_for(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.count() < count {
            assert!(
                Instant::now() < deadline,
                "only {} of {count} requests arrived",
                self.count()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn send(app: &TestApp, role: &str, method: &str, path: &str, body: &Value) -> Value {
    let token = app.issue_token(&[role], "root", "1h");
    let reply = app.request(
        method,
        path,
        Some(&token),
        &[],
        Some(("application/json", serde_json::to_vec(body).unwrap())),
    );
    assert!(
        reply.status < 300,
        "{method} {path}: {} {}",
        reply.status,
        reply.body
    );
    reply.json()
}

fn advance(app: &TestApp, seconds: i64) {
    send(
        app,
        "admin",
        "POST",
        "/api/v1/admin/clock",
        &json!({"advance_seconds": seconds}),
    );
}

fn notifications(app: &TestApp, id: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/incidents/{id}/notifications"))
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn wait_status(app: &TestApp, id: &str, to: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = notifications(app, id).into_iter().find(|n| n["to"] == to);
        if let Some(n) = found.filter(|n| n["status"] == status) {
            return n;
        }
        assert!(
            Instant::now() < deadline,
            "{to} never became {status}: {:?}",
            notifications(app, id)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_escalation_is_delivered_to_a_flaky_webhook_once_and_a_dead_letter_is_retried() {
    let flaky = Receiver::start(2);
    let down = Receiver::start(usize::MAX);
    let gateway = Receiver::start(0);
    let app = spawn_app_with(&[
        ("SERVICEDESK_CLOCK", "manual:2026-12-07T09:00:00Z"),
        ("SERVICEDESK_WEBHOOK_SECRET", SECRET),
        ("SERVICEDESK_SMS_GATEWAY_URL", &gateway.url),
        (
            "SERVICEDESK_SMS_TEMPLATE",
            r#"{"recipient": "{to}", "message": "{text}"}"#,
        ),
        ("SERVICEDESK_SMS_AUTHORIZATION", "Bearer gateway-token"),
    ]);
    send(
        &app,
        "admin",
        "POST",
        "/api/v1/people",
        &json!({"id": "bob", "name": "Bob", "time_zone": "Europe/Berlin",
        "contacts": [{"kind": "webhook", "address": flaky.url}, {"kind": "email", "address": "bob@example.com"},
                     {"kind": "sms", "address": "+4915112345678"}]}),
    );
    send(
        &app,
        "admin",
        "POST",
        "/api/v1/people",
        &json!({"id": "carol", "name": "Carol", "time_zone": "Europe/Berlin",
        "contacts": [{"kind": "webhook", "address": down.url}]}),
    );
    send(
        &app,
        "admin",
        "POST",
        "/api/v1/groups",
        &json!({"slug": "duty", "name": "Duty", "members": ["carol"]}),
    );
    let sla = send(
        &app,
        "manager",
        "POST",
        "/api/v1/slas",
        &json!({"name": "Gold", "targets": [
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 7200}],
        "escalations": [{"timer": "respond", "at_percent": 100, "notify": ["bob", "duty"]}]}),
    );
    send(
        &app,
        "manager",
        "POST",
        "/api/v1/contracts",
        &json!({"name": "default", "sla": sla["id"]}),
    );
    let opened =
        app.open_incident(json!({"title": "Shop down", "impact": "high", "urgency": "high"}));
    let id = opened["id"].as_str().unwrap().to_owned();

    // 09:31: the response is late: the escalation queues bob's webhook and e-mail and carol's
    advance(&app, 31 * 60);
    flaky.wait_for(1);
    let failed = wait_status(&app, &id, &flaky.url, "failed");
    assert_eq!(failed["attempts"], 1);
    let history = app.get(&format!("/api/v1/incidents/{id}/history")).json();
    let escalated = history
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["type"] == "SlaEscalated")
        .unwrap();
    let queued: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "NotificationQueued")
        .collect();
    assert_eq!(queued.len(), 4);
    assert_eq!(
        queued[0]["position"].as_u64().unwrap() - history[escalated]["position"].as_u64().unwrap(),
        1,
        "queued in the same append as the escalation"
    );
    let email = notifications(&app, &id)
        .into_iter()
        .find(|n| n["channel"] == "email")
        .unwrap();
    assert_eq!(
        email["status"], "queued",
        "no e-mail delivery yet: it waits, visible"
    );
    // the SMS went through the gateway, in its template, with its credentials
    gateway.wait_for(1);
    wait_status(&app, &id, "+4915112345678", "sent");
    let (headers, body) = gateway.seen.lock().unwrap()[0].clone();
    let sms: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sms["recipient"], "+4915112345678");
    assert!(
        sms["message"].as_str().unwrap().contains("Shop down"),
        "{sms}"
    );
    assert!(headers.contains(&(
        "authorization".to_owned(),
        "Bearer gateway-token".to_owned()
    )));

    // the retries come by the backoff: 30 s, then 60 s (plus jitter)
    advance(&app, 40);
    flaky.wait_for(2);
    wait_status(&app, &id, &flaky.url, "failed");
    advance(&app, 80);
    flaky.wait_for(3);
    let sent = wait_status(&app, &id, &flaky.url, "sent");
    assert_eq!(sent["attempts"], 3);
    advance(&app, 3600);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(flaky.count(), 3, "sent once, never again");
    assert_eq!(gateway.count(), 1);
    let seen = flaky.seen.lock().unwrap().clone();
    for (headers, body) in &seen {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            header("idempotency-key").as_deref(),
            sent["id"].as_str(),
            "one key for every try"
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            header("servicedesk-signature"),
            Some(format!("sha256={expected}"))
        );
        let payload: Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["incident"], id.as_str());
        assert!(payload["subject"].as_str().unwrap().contains("Shop down"));
    }

    // carol's receiver stays down: every try fails, then it is dead-lettered
    for _ in 0..10 {
        advance(&app, 2 * 3600);
        std::thread::sleep(Duration::from_millis(150));
    }
    let dead = wait_status(&app, &id, &down.url, "dead");
    assert_eq!(dead["attempts"], 8);
    assert_eq!(down.count(), 8);
    assert!(dead["last_error"].as_str().unwrap().contains("500"));
    // the failed-delivery queue shows it
    let dead_letters = app.get("/api/v1/notifications?status=dead").json();
    assert_eq!(dead_letters.as_array().unwrap().len(), 1);
    assert_eq!(dead_letters[0]["incident"], id.as_str());
    assert_eq!(dead_letters[0]["id"], dead["id"]);
    app.get("/api/v1/notifications?status=lost").problem(400);
    // it comes back; a person retries the dead letter
    down.failures.store(0, Ordering::SeqCst);
    let agent = app.issue_token(&["agent"], "alice", "1h");
    let path = format!(
        "/api/v1/notifications/{}/retry",
        dead["id"].as_str().unwrap()
    );
    let retried = app.request("POST", &path, Some(&agent), &[], None);
    assert_eq!(retried.status, 200, "{}", retried.body);
    let sent = wait_status(&app, &id, &down.url, "sent");
    assert_eq!(sent["attempts"], 9);
    let again = app.request("POST", &path, Some(&agent), &[], None);
    again.problem(422);
    let by_ticket = format!(
        "/api/v1/incidents/{id}/notifications/{}/retry",
        dead["id"].as_str().unwrap()
    );
    app.request("POST", &by_ticket, Some(&agent), &[], None)
        .problem(422);
    assert!(app
        .get("/api/v1/notifications?status=dead")
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        app.get("/api/v1/notifications?status=sent")
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// A real SMTP server: Debian's aiosmtpd, delivering into a Maildir.
struct SmtpServer {
    child: std::process::Child,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start(port: u16) -> Self {
        let maildir = tempfile::tempdir().unwrap();
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir(maildir.path().join(sub)).unwrap();
        }
        let child = std::process::Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path())
            .spawn()
            .expect("python3-aiosmtpd (apt-get install python3-aiosmtpd)");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, maildir }
    }

    fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("new");
        std::fs::read_dir(new)
            .map(|entries| {
                entries
                    .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `count` people (`<prefix>0`, ...) with a webhook to `url`, all in group `all`, which the
/// default contract's SLA notifies when a P1's response is late (after 30 minutes).
fn escalate_to_everyone(app: &TestApp, prefix: &str, count: usize, url: &str) {
    let people: Vec<String> = (0..count).map(|i| format!("{prefix}{i}")).collect();
    for p in &people {
        send(
            app,
            "admin",
            "POST",
            "/api/v1/people",
            &json!({"id": p, "name": p,
            "time_zone": "UTC", "contacts": [{"kind": "webhook", "address": url}]}),
        );
    }
    send(
        app,
        "admin",
        "POST",
        "/api/v1/groups",
        &json!({"slug": "all", "name": "All", "members": people}),
    );
    let sla = send(
        app,
        "manager",
        "POST",
        "/api/v1/slas",
        &json!({"name": "Gold", "targets": [
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 7200}],
        "escalations": [{"timer": "respond", "at_percent": 100, "notify": ["all"]}]}),
    );
    send(
        app,
        "manager",
        "POST",
        "/api/v1/contracts",
        &json!({"name": "default", "sla": sla["id"]}),
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn e_mail_goes_through_a_real_smtp_server_once_it_is_back() {
    let port = free_port();
    let app = spawn_app_with(&[
        ("SERVICEDESK_CLOCK", "manual:2026-12-07T09:00:00Z"),
        ("SERVICEDESK_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
        ("SERVICEDESK_SMTP_FROM", "Service desk <desk@example.com>"),
        ("SERVICEDESK_PUBLIC_URL", "https://desk.example.com"),
    ]);
    send(
        &app,
        "admin",
        "POST",
        "/api/v1/people",
        &json!({"id": "erin", "name": "Erin", "time_zone": "UTC",
        "contacts": [{"kind": "email", "address": "erin@example.com"}]}),
    );
    let sla = send(
        &app,
        "manager",
        "POST",
        "/api/v1/slas",
        &json!({"name": "Gold", "targets": [
        {"ticket_type": "incident", "priority": "P1", "respond_seconds": 1800, "resolve_seconds": 7200}],
        "escalations": [{"timer": "respond", "at_percent": 100, "notify": ["erin"]}]}),
    );
    send(
        &app,
        "manager",
        "POST",
        "/api/v1/contracts",
        &json!({"name": "default", "sla": sla["id"]}),
    );
    let opened =
        app.open_incident(json!({"title": "Mail relay down", "impact": "high", "urgency": "high"}));
    let id = opened["id"].as_str().unwrap().to_owned();

    // the SMTP server is not up yet: the first try fails and waits
    advance(&app, 31 * 60);
    let failed = wait_status(&app, &id, "erin@example.com", "failed");
    assert!(
        failed["last_error"].as_str().unwrap().contains("SMTP"),
        "{failed}"
    );
    let smtp = SmtpServer::start(port);
    advance(&app, 40);
    let sent = wait_status(&app, &id, "erin@example.com", "sent");
    assert_eq!(sent["attempts"], 2);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    // the body is quoted-printable: join its soft line breaks
    let mail = &messages[0]
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(mail.contains("To: erin@example.com"), "{mail}");
    assert!(mail.contains("Subject: [P1] SLA escalation"), "{mail}");
    assert!(
        mail.contains(&format!("https://desk.example.com/api/v1/incidents/{id}")),
        "{mail}"
    );
    assert!(
        mail.contains(sent["id"].as_str().unwrap()),
        "the notification id travels along"
    );
    advance(&app, 3600);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(smtp.messages().len(), 1, "sent once");
}

#[test]
fn kill_9_with_notifications_queued_loses_none_and_the_receiver_sees_each_key_once() {
    // a slow receiver, so the kill falls in the middle of the deliveries
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let keys: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = keys.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut line, mut length, mut key) = (String::new(), 0usize, String::new());
                reader.read_line(&mut line).unwrap();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if let Some(v) = lower.strip_prefix("idempotency-key:") {
                        key = v.trim().to_owned();
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                std::thread::sleep(Duration::from_millis(100));
                log.lock().unwrap().push(key);
                let _ = write!(
                    stream,
                    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    let mut app = spawn_app_with(&[("SERVICEDESK_CLOCK", "manual:2026-12-07T09:00:00Z")]);
    escalate_to_everyone(&app, "p", 30, &url);
    let ids: Vec<String> = (0..4)
        .map(|i| {
            let opened = app.open_incident(
                json!({"title": format!("down {i}"), "impact": "high", "urgency": "high"}),
            );
            opened["id"].as_str().unwrap().to_owned()
        })
        .collect();
    advance(&app, 31 * 60);
    // 120 notifications queued; kill the server once some have arrived
    let deadline = Instant::now() + Duration::from_secs(20);
    while keys.lock().unwrap().len() < 5 {
        assert!(Instant::now() < deadline, "deliveries never began");
        std::thread::sleep(Duration::from_millis(10));
    }
    app.kill_hard();
    let dir = app.dir.clone();
    let app = crate::support::start_with(
        &dir,
        &[("SERVICEDESK_CLOCK", "manual:2026-12-07T09:31:00Z")],
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending: usize = ids
            .iter()
            .map(|id| {
                notifications(&app, id)
                    .iter()
                    .filter(|n| n["status"] != "sent")
                    .count()
            })
            .sum();
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} notifications never sent"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let all: Vec<String> = ids
        .iter()
        .flat_map(|id| notifications(&app, id))
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 120, "nothing queued was lost");
    let seen = keys.lock().unwrap().clone();
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(
        unique, expected,
        "every notification reached the receiver, each under its own key"
    );
    assert!(
        seen.len() - unique.len() <= 32,
        "a repeat only for tries in flight at the kill: {}",
        seen.len() - unique.len()
    );
}

#[test]
fn a_channels_rate_limit_spreads_a_burst_of_notifications() {
    let receiver = Receiver::start(0);
    let app = spawn_app_with(&[
        ("SERVICEDESK_CLOCK", "manual:2026-12-07T09:00:00Z"),
        ("SERVICEDESK_NOTIFY_RATE_PER_SECOND", "5"),
    ]);
    escalate_to_everyone(&app, "q", 15, &receiver.url);
    app.open_incident(json!({"title": "down", "impact": "high", "urgency": "high"}));
    advance(&app, 31 * 60);
    receiver.wait_for(1);
    let first = Instant::now();
    receiver.wait_for(15);
    // five at once, then five a second: the last ten take two seconds at least
    assert!(
        first.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        first.elapsed()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.count(), 15);
}
