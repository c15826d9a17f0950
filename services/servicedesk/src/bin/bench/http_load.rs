//! (d) the real server binary over HTTP on the seeded data dir: creating and listing clients
//! run at the same time, first as fast as they can (saturation: throughput, and latency that
//! is mostly queueing on 2 shared cores), then paced at a fixed rate (latency at a load a busy
//! service desk could produce). Latency is what the client saw.

use crate::incidents::{mix, CUSTOMERS, GROUPS, HOSTS, SERVICES};
use crate::report::{percentile_ms, rate, Report};
use crate::server::Server;
use crate::Options;
use servicedesk_api::Role;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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
    let server = Server::start(data_dir);
    let base = server.base.clone();
    let token = server.token(Role::Agent);
    let phases = [
        ("saturated", None),
        ("paced", Some((PACED_CREATES, PACED_LISTS))),
    ];
    for (label, pacing) in phases {
        let load = Load {
            base: &base,
            token: &token,
            creators: options.creators,
            listers: options.listers,
            seconds: options.http_seconds,
            pacing,
        };
        println!(
            "\n(d) HTTP against {} incidents, {label}{}: {} creating + {} listing clients for {}s",
            options.incidents,
            pacing.map_or(String::new(), |(c, l)| format!(
                " at {c} creates/s + {l} lists/s"
            )),
            load.creators,
            load.listers,
            load.seconds
        );
        let (mut creates, mut lists, errors, elapsed) = load.run();
        for (kind, samples) in [
            ("create-incident", &mut creates),
            ("filtered list-incidents", &mut lists),
        ] {
            samples.sort_unstable();
            report.add(
                &format!("(d) {kind}, {label}"),
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
        report.add(&format!("(d) failed requests, {label}"), errors.to_string());
    }
    drop(server);
}

/// The paced phase's offered load: far above what a real service desk creates, well below
/// what saturates this machine.
const PACED_CREATES: f64 = 200.0;
const PACED_LISTS: f64 = 600.0;

struct Load<'a> {
    base: &'a str,
    token: &'a str,
    creators: usize,
    listers: usize,
    seconds: u64,
    /// Total creates and lists per second, spread evenly over the clients; None: as fast as
    /// they can. Paced latency counts from when a request was due, not when it was sent, so a
    /// server that falls behind is charged for the wait (no coordinated omission).
    pacing: Option<(f64, f64)>,
}

impl Load<'_> {
    fn run(&self) -> (Vec<u64>, Vec<u64>, usize, f64) {
        let stop = AtomicBool::new(false);
        let (mut creates, mut lists, mut errors) = (Vec::new(), Vec::new(), 0usize);
        let started = Instant::now();
        std::thread::scope(|s| {
            let mut handles = Vec::new();
            for t in 0..self.creators + self.listers {
                let stop = &stop;
                let creating = t < self.creators;
                let interval = self.pacing.map(|(c, l)| {
                    let (total, clients) = if creating {
                        (c, self.creators)
                    } else {
                        (l, self.listers)
                    };
                    Duration::from_secs_f64(clients as f64 / total)
                });
                handles.push(s.spawn(move || self.client(t as u64, creating, interval, stop)));
            }
            std::thread::sleep(Duration::from_secs(self.seconds));
            stop.store(true, Ordering::Relaxed);
            for handle in handles {
                let (creating, samples, e) = handle.join().expect("load thread");
                errors += e;
                if creating {
                    creates.extend(samples);
                } else {
                    lists.extend(samples);
                }
            }
        });
        (creates, lists, errors, started.elapsed().as_secs_f64())
    }

    fn client(
        &self,
        t: u64,
        creating: bool,
        interval: Option<Duration>,
        stop: &AtomicBool,
    ) -> (bool, Vec<u64>, usize) {
        let agent = crate::server::agent();
        let (base, token) = (self.base, self.token);
        let mut samples = Vec::new();
        let mut errors = 0;
        let mut n = t << 40;
        // Paced clients start spread over one interval, not all at the same instant.
        let mut due =
            Instant::now() + interval.map_or(Duration::ZERO, |i| i.mul_f64((t % 97) as f64 / 97.0));
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            match interval {
                Some(_) => {
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                }
                None => due = Instant::now(),
            }
            let ok = if creating {
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
                let url = format!("{base}/api/v1/incidents?{}", list_query(n));
                crate::server::get_ok(&agent, &url, token)
            };
            if ok {
                samples.push(due.elapsed().as_micros() as u64);
            } else {
                errors += 1;
            }
            if let Some(interval) = interval {
                due += interval;
            }
        }
        (creating, samples, errors)
    }
}
