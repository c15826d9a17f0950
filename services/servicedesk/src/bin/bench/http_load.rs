//! (d) the real server binary over HTTP on the seeded data dir: creators and listers run at
//! the same time; each request's latency is recorded as the client saw it.

use crate::incidents::{mix, CUSTOMERS, GROUPS, HOSTS, SERVICES};
use crate::report::{percentile_ms, rate, Report};
use crate::Options;
use servicedesk_api::{JwtKeys, Role};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SECRET: &str = "benchmark-secret-benchmark-secret-benchmark-secret";
const CREATORS: usize = 8;
const LISTERS: usize = 8;

fn list_query(n: u64) -> String {
    let r = mix(n);
    match n % 6 {
        0 => "status=new&limit=50".to_owned(),
        1 => format!("service=svc-{}&limit=50", r % SERVICES as u64),
        2 => format!(
            "assignment_group=grp-{}&status=assigned&limit=50",
            r % GROUPS as u64
        ),
        3 => "priority=P1&sort=-opened_at&limit=50".to_owned(),
        4 => format!(
            "customer=cust-{}&status=new,assigned,in_progress&limit=20",
            r % CUSTOMERS as u64
        ),
        _ => format!("configuration_item=host{}&limit=20", r % HOSTS as u64),
    }
}

pub fn run(options: &Options, data_dir: &Path, report: &mut Report) {
    let exe = std::env::current_exe().expect("current exe");
    let server = exe.with_file_name("servicedesk");
    assert!(
        server.exists(),
        "{} is missing: build it first (cargo build --release --bins)",
        server.display()
    );
    let mut child = Command::new(&server)
        .arg("serve")
        .env("SERVICEDESK_DATA_DIR", data_dir)
        .env("SERVICEDESK_LISTEN", "127.0.0.1:0")
        .env("SERVICEDESK_JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next().expect("server exited").expect("read stdout");
        if let Some(url) = line.strip_prefix("servicedesk listening on ") {
            break url.trim().to_owned();
        }
    };
    let token = JwtKeys::new(SECRET.as_bytes(), "servicedesk", "servicedesk-api")
        .issue(
            "bench",
            &[Role::Agent],
            chrono::Utc::now().timestamp(),
            3600,
        )
        .expect("token");
    let agent = || -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    };
    let probe = agent();
    while probe
        .get(format!("{base}/readyz"))
        .call()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
        != 200
    {
        std::thread::sleep(Duration::from_millis(50));
    }

    println!(
        "\n(d) HTTP against {} incidents: {CREATORS} creators + {LISTERS} listers for {}s",
        options.incidents, options.http_seconds
    );
    let stop = AtomicBool::new(false);
    let (mut creates, mut lists, mut errors) = (Vec::new(), Vec::new(), 0usize);
    let started = Instant::now();
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for t in 0..CREATORS + LISTERS {
            let (stop, base, token) = (&stop, &base, &token);
            let agent = agent();
            handles.push(s.spawn(move || {
                let mut samples = Vec::new();
                let mut errors = 0;
                let mut n = (t as u64) << 40;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let began = Instant::now();
                    let ok = if t < CREATORS {
                        let body = format!(
                            r#"{{"title":"bench incident {n}","service":"svc-{}","customer":"cust-{}","impact":"medium","urgency":"high"}}"#,
                            mix(n) % SERVICES as u64,
                            mix(n + 1) % CUSTOMERS as u64
                        );
                        agent
                            .post(format!("{base}/api/v1/incidents"))
                            .header("Authorization", &format!("Bearer {token}"))
                            .header("Content-Type", "application/json")
                            .send(body.as_bytes())
                            .map(|mut r| {
                                let _ = r.body_mut().read_to_vec();
                                r.status().as_u16() == 201
                            })
                            .unwrap_or(false)
                    } else {
                        agent
                            .get(format!("{base}/api/v1/incidents?{}", list_query(n)))
                            .header("Authorization", &format!("Bearer {token}"))
                            .call()
                            .map(|mut r| {
                                let _ = r.body_mut().read_to_vec();
                                r.status().as_u16() == 200
                            })
                            .unwrap_or(false)
                    };
                    if ok {
                        samples.push(began.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
                (t < CREATORS, samples, errors)
            }));
        }
        std::thread::sleep(Duration::from_secs(options.http_seconds));
        stop.store(true, Ordering::Relaxed);
        for handle in handles {
            let (creator, samples, e) = handle.join().expect("load thread");
            errors += e;
            if creator {
                creates.extend(samples);
            } else {
                lists.extend(samples);
            }
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();

    for (name, samples) in [
        ("create-incident", &mut creates),
        ("filtered list-incidents", &mut lists),
    ] {
        samples.sort_unstable();
        report.add(
            &format!("(d) {name}"),
            format!(
                "{} requests, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                samples.len(),
                rate(samples.len(), elapsed),
                percentile_ms(samples, 0.50),
                percentile_ms(samples, 0.99),
                percentile_ms(samples, 1.0)
            ),
        );
    }
    report.add("(d) failed requests", errors.to_string());
}
