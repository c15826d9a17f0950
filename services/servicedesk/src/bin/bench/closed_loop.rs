//! Closed-loop load: N clients, each sending its next request as soon as the last answered,
//! for a while; the latencies of the successful ones, sorted.

use crate::server::agent;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct ClosedLoop {
    /// Microseconds, sorted.
    pub latencies: Vec<u64>,
    pub failures: usize,
    pub seconds: f64,
}

/// Runs `send(client, n)` (true: it succeeded) from `clients` threads for `seconds`; `n` is
/// unique per request across clients.
pub fn run(
    clients: usize,
    seconds: u64,
    send: impl Fn(&ureq::Agent, u64) -> bool + Sync,
) -> ClosedLoop {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut failures = 0;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients as u64)
            .map(|c| {
                let (stop, send) = (&stop, &send);
                s.spawn(move || {
                    let client = agent();
                    let mut samples = Vec::new();
                    let mut failed = 0;
                    let mut n = c << 40;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let began = Instant::now();
                        if send(&client, n) {
                            samples.push(began.elapsed().as_micros() as u64);
                        } else {
                            failed += 1;
                        }
                    }
                    (samples, failed)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(seconds));
        stop.store(true, Ordering::Relaxed);
        for h in handles {
            let (samples, failed) = h.join().expect("client");
            latencies.extend(samples);
            failures += failed;
        }
    });
    latencies.sort_unstable();
    ClosedLoop {
        latencies,
        failures,
        seconds: started.elapsed().as_secs_f64(),
    }
}
