//! Prometheus text-format metrics, kept by hand: a few counters and histograms do not justify
//! a metrics framework.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use servicedesk_application::WriteMetrics;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
}

impl Metrics {
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            latency
                .entry(route.to_owned())
                .or_default()
                .observe(seconds);
        }
    }

    pub fn render(&self, writes: &WriteMetrics, log_head: u64, projected: u64) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP servicedesk_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE servicedesk_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "servicedesk_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP servicedesk_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE servicedesk_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for (route, h) in latency.iter() {
                let route = escape(route);
                for (bound, n) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "servicedesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "servicedesk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "servicedesk_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "servicedesk_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        for (name, help, value) in [
            (
                "servicedesk_appends_total",
                "Successful appends to the event log.",
                writes.appends.load(Ordering::Relaxed),
            ),
            (
                "servicedesk_appended_events_total",
                "Events appended to the log.",
                writes.appended_events.load(Ordering::Relaxed),
            ),
            (
                "servicedesk_append_conflicts_total",
                "Appends refused for a stale expected version.",
                writes.append_conflicts.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        for (name, help, value) in [
            (
                "servicedesk_log_head_position",
                "Global position of the last durable event.",
                log_head,
            ),
            (
                "servicedesk_projection_position",
                "Global position the read models have reached.",
                projected,
            ),
            (
                "servicedesk_projection_lag_events",
                "Events durable in the log but not yet in the read models.",
                log_head.saturating_sub(projected),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Middleware: counts and times every request by its route pattern (not its concrete path,
/// which would make one series per incident).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let metrics = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map(|s| s.metrics.clone());
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    if let Some(metrics) = metrics {
        metrics.observe_request(&method, &route, status, seconds);
    }
    // One line per request: failures where an operator looks by default, the rest on demand
    // (RUST_LOG=servicedesk_api=debug), so a busy server does not log itself to death.
    let path = response.request().path().to_owned();
    let millis = seconds * 1000.0;
    match status {
        500.. => tracing::error!(%method, %path, status, millis, "request failed"),
        400..=499 => tracing::info!(%method, %path, status, millis, "request refused"),
        _ => tracing::debug!(%method, %path, status, millis, "request"),
    }
    Ok(response)
}
