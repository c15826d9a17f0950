//! Issue 3's benchmark: alarm webhooks over HTTP with a realistic mix (5,000 hosts; most alerts
//! repeat what is already firing, some are new, some resolve), every accepted alarm durable,
//! side by side with Alertmanager 0.25 receiving the same alerts on its own
//! `POST /api/v2/alerts`; webhook latency; and alarm-to-incident latency (a probe sends new
//! critical alarms during the load and waits for their incidents in the read model).

use crate::incidents::mix;
use crate::report::{percentile_ms, rate, Report};
use crate::server::{agent, Server};
use crate::Options;
use serde_json::{json, Value};
use servicedesk_api::Role;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const HOSTS: u64 = 5_000;
const NAMES: [(&str, &str); 3] = [
    ("HostDown", "critical"),
    ("DiskFull", "warning"),
    ("HighLoad", "warning"),
];
const ALERTMANAGER: &str = "/usr/bin/prometheus-alertmanager";

/// How long a resolved alert stays resolved (and is resent as resolved, as Prometheus does)
/// before it may fire again.
const EPOCH_SECONDS: i64 = 3;

/// One alert of the mix.
struct Alert {
    host: u64,
    /// Index into `NAMES`, or `None` for an alert never seen before.
    name: Option<usize>,
    resolved: bool,
    n: u64,
}

/// 85 % the host's `HostDown` (critical), 14 % one of its two warnings, 1 % a new alert (a
/// fresh fingerprint, severity error). Of the standing alerts, one in twenty is resolved in any
/// period of `EPOCH_SECONDS`: it is sent as resolved for the period and may fire again in a
/// later one. Each alert's periods begin at its own offset, so state changes arrive spread
/// over time rather than all in the same second. (Session 1's mix resolved a random 5 % of
/// posts and fired the same alert again with the next post, a flapping storm rather than the
/// traffic of an estate.)
fn alert(n: u64, now_ms: i64) -> Alert {
    let r = mix(n);
    let host = r % HOSTS;
    let pick = ((r >> 16) % 100) as usize;
    let name = match pick {
        0..=84 => Some(0),
        85..=98 => Some(1 + pick % 2),
        _ => None,
    };
    let resolved = name.is_some_and(|name| {
        let key = host * 4 + name as u64;
        let period_ms = EPOCH_SECONDS as u64 * 1000;
        let period = (now_ms as u64 + mix(key) % period_ms) / period_ms;
        mix(key ^ (period << 24)).is_multiple_of(20)
    });
    Alert {
        host,
        name,
        resolved,
        n,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn alertmanager_alert(a: &Alert, now: chrono::DateTime<chrono::Utc>) -> Value {
    let (alertname, severity) = a.name.map_or(("Unreachable", "error"), |name| NAMES[name]);
    let mut labels = json!({"alertname": alertname, "severity": severity, "instance": format!("host{}:9100", a.host), "job": "node"});
    if a.name.is_none() {
        labels["target"] = json!(format!("target{}", a.n));
    }
    json!({
        "labels": labels,
        "annotations": {"summary": format!("{alertname} on host{}", a.host)},
        "startsAt": (now - chrono::Duration::minutes(5)).to_rfc3339(),
        "endsAt": if a.resolved { (now - chrono::Duration::seconds(1)).to_rfc3339() } else { (now + chrono::Duration::minutes(5)).to_rfc3339() },
    })
}

/// The same alert as Alertmanager's webhook carries it.
fn webhook_alert(alert: &Value, resolved: bool) -> Value {
    let mut a = alert.clone();
    a["status"] = json!(if resolved { "resolved" } else { "firing" });
    a
}

pub fn run(options: &Options, report: &mut Report) {
    let dir = options.dir.join("alarms");
    std::fs::create_dir_all(&dir).expect("alarm bench dir");
    let server = Server::start(&dir);
    let admin = server.token(Role::Admin);
    let client = agent();
    let mut registered = client
        .post(format!("{}/api/v1/integrations", server.base))
        .header("Authorization", &format!("Bearer {admin}"))
        .send_json(
            json!({"name": "bench", "kind": "alertmanager", "defaults": {"customer": "bench"}}),
        )
        .expect("register");
    let key: String = registered.body_mut().read_json::<Value>().expect("key")["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let agent_token = server.token(Role::Agent);

    println!("\n(alarms) warming up: the standing alerts of {HOSTS} hosts fire (HostDown and two warnings each)");
    let now = chrono::Utc::now();
    let standing: Vec<(u64, usize)> = (0..HOSTS)
        .flat_map(|host| (0..NAMES.len()).map(move |name| (host, name)))
        .collect();
    for chunk in standing.chunks(250) {
        let alerts: Vec<Value> = chunk
            .iter()
            .map(|&(host, name)| {
                let standing = Alert {
                    host,
                    name: Some(name),
                    resolved: false,
                    n: 0,
                };
                webhook_alert(&alertmanager_alert(&standing, now), false)
            })
            .collect();
        post_webhook(&client, &server.base, &key, alerts);
    }
    // The reactor opens an incident for each of them; the load starts once a probe sent after
    // the warm-up has its incident, so the probes below measure the steady state, not the
    // warm-up's backlog.
    let settled = probe_once(
        &client,
        &server.base,
        &key,
        &agent_token,
        "warmup-probe",
        Duration::from_secs(120),
    );
    println!(
        "(alarms) warm-up incidents opened; a probe took {:.0} ms",
        settled.map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    );

    let alertmanager = Alertmanager::start(&options.dir.join("alertmanager"));
    if alertmanager.is_none() {
        report.add(
            "(alarms) Alertmanager",
            format!("{ALERTMANAGER} not installed: no comparison"),
        );
    }
    let seconds = options.http_seconds;
    // Each shape runs against servicedesk, then against Alertmanager, one after the other in
    // the same sitting, so the ratio compares the two under the same machine conditions.
    for &(per_post, clients) in &options.alarm_shapes {
        let shape = format!("{per_post} a post x {clients} connections");
        println!("(alarms) servicedesk webhook: {shape} for {seconds}s, with a probe");
        let stop = AtomicBool::new(false);
        let (ours, probes) = std::thread::scope(|s| {
            let probe = s.spawn(|| probe(&server.base, &key, &agent_token, &stop));
            let load = load(clients, per_post, seconds, |client, n| {
                let (now, now_ms) = (chrono::Utc::now(), now_ms());
                let alerts = (0..per_post as u64)
                    .map(|i| {
                        let a = alert(n * 64 + i, now_ms);
                        webhook_alert(&alertmanager_alert(&a, now), a.resolved)
                    })
                    .collect();
                post_webhook(client, &server.base, &key, alerts)
            });
            stop.store(true, Ordering::Relaxed);
            (load, probe.join().expect("probe"))
        });
        report_load(report, &format!("servicedesk webhook, {shape}"), &ours);
        let mut probes = probes;
        probes.sort_unstable();
        report.add(
            &format!("(alarms) alarm-to-incident in the read model, {shape}"),
            format!(
                "{} probes, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                probes.len(),
                percentile_ms(&probes, 0.5),
                percentile_ms(&probes, 0.99),
                percentile_ms(&probes, 1.0)
            ),
        );
        let Some(alertmanager) = &alertmanager else {
            continue;
        };
        println!("(alarms) Alertmanager POST /api/v2/alerts: {shape} for {seconds}s");
        let theirs = load(clients, per_post, seconds, |client, n| {
            let (now, now_ms) = (chrono::Utc::now(), now_ms());
            let alerts: Vec<Value> = (0..per_post as u64)
                .map(|i| alertmanager_alert(&alert(n * 64 + i, now_ms), now))
                .collect();
            client
                .post(format!("{}/api/v2/alerts", alertmanager.base))
                .send_json(Value::Array(alerts))
                .map(|r| r.status().as_u16() == 200)
                .unwrap_or(false)
        });
        report_load(
            report,
            &format!("Alertmanager 0.25 /api/v2/alerts, {shape}"),
            &theirs,
        );
        report.add(
            &format!("(alarms) ratio servicedesk / Alertmanager, {shape}"),
            format!(
                "{:.2}x alerts/s (target >= 1.5x)",
                ours.alerts_per_second() / theirs.alerts_per_second().max(1e-9)
            ),
        );
    }
    drop(server);
}

fn post_webhook(client: &ureq::Agent, base: &str, key: &str, alerts: Vec<Value>) -> bool {
    let body = json!({"version": "4", "status": "firing", "receiver": "servicedesk", "groupKey": "{}:{}", "alerts": alerts});
    client
        .post(format!("{base}/api/v1/alarms/alertmanager"))
        .header("Authorization", &format!("Bearer {key}"))
        .send_json(body)
        .map(|mut r| {
            let _ = r.body_mut().read_to_vec();
            r.status().as_u16() == 202
        })
        .unwrap_or(false)
}

struct LoadResult {
    latencies: Vec<u64>,
    per_post: usize,
    failures: usize,
    seconds: f64,
}

impl LoadResult {
    fn alerts_per_second(&self) -> f64 {
        rate(self.latencies.len() * self.per_post, self.seconds)
    }
}

fn load(
    clients: usize,
    per_post: usize,
    seconds: u64,
    send: impl Fn(&ureq::Agent, u64) -> bool + Sync,
) -> LoadResult {
    let run = crate::closed_loop::run(clients, seconds, send);
    LoadResult {
        latencies: run.latencies,
        per_post,
        failures: run.failures,
        seconds: run.seconds,
    }
}

fn report_load(report: &mut Report, name: &str, r: &LoadResult) {
    report.add(
        &format!("(alarms) {name}"),
        format!(
            "{:.0} alerts/s in {} posts of {}, p50 {:.2} ms, p99 {:.2} ms, {} failed",
            r.alerts_per_second(),
            r.latencies.len(),
            r.per_post,
            percentile_ms(&r.latencies, 0.5),
            percentile_ms(&r.latencies, 0.99),
            r.failures
        ),
    );
}

/// New critical alarms, one at a time, each timed from the moment it is sent until its incident
/// is in the read model. With `PROBE_DEBUG` set, each probe slower than 150 ms is printed with
/// the time it was sent, to line slow ones up with the server's log (how a periodic stall of
/// the projection was found).
fn probe(base: &str, key: &str, token: &str, stop: &AtomicBool) -> Vec<u64> {
    let client = agent();
    let mut samples = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let host = format!("probe{n}");
        // Not there in time: counted as the time waited, so a lagging reactor shows.
        let at = chrono::Utc::now();
        if let Some(took) = probe_once(&client, base, key, token, &host, Duration::from_secs(20)) {
            samples.push(took.as_micros() as u64);
            if std::env::var("PROBE_DEBUG").is_ok() && took > Duration::from_millis(150) {
                println!("slow probe at {}: {took:?}", at.format("%H:%M:%S%.3f"));
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    samples
}

/// Sends one new critical alarm for `host` and waits until its incident is listed; None when
/// the webhook failed.
fn probe_once(
    client: &ureq::Agent,
    base: &str,
    key: &str,
    token: &str,
    host: &str,
    patience: Duration,
) -> Option<Duration> {
    let alert = json!({
        "status": "firing",
        "labels": {"alertname": "ProbeDown", "severity": "critical", "instance": host},
        "annotations": {"summary": "probe"},
        "startsAt": chrono::Utc::now().to_rfc3339(),
    });
    let began = Instant::now();
    if !post_webhook(client, base, key, vec![alert]) {
        return None;
    }
    loop {
        let found = client
            .get(format!(
                "{base}/api/v1/incidents?configuration_item={host}&limit=1"
            ))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
            .is_some_and(|v| v["items"].as_array().is_some_and(|i| !i.is_empty()));
        if found || began.elapsed() > patience {
            return Some(began.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Alertmanager with a receiver that sends nowhere: what is measured is its ingestion.
struct Alertmanager {
    child: Child,
    base: String,
}

impl Alertmanager {
    fn start(dir: &std::path::Path) -> Option<Self> {
        if !std::path::Path::new(ALERTMANAGER).exists() {
            return None;
        }
        std::fs::create_dir_all(dir).ok()?;
        let config = dir.join("alertmanager.yml");
        std::fs::write(
            &config,
            "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n",
        )
        .ok()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = Command::new(ALERTMANAGER)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .arg("--log.level=error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let am = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let probe = agent();
        let deadline = Instant::now() + Duration::from_secs(20);
        while probe
            .get(format!("{}/-/ready", am.base))
            .call()
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
            != 200
        {
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(am)
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
