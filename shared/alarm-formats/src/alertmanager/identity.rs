//! Which host, configuration item and service an alert is about, read from its labels.
//!
//! Prometheus has no such fields, only conventions: `instance` is the scrape target
//! (`host:port`), exporters and rule authors often add `host`/`hostname`, and `job` is the
//! scrape job, the closest thing to a service when no `service` label exists.

use std::collections::BTreeMap;

/// Label `host`, else `hostname`, else `instance` without its port (and scheme, for blackbox
/// targets like `https://example.com:8443/health`).
pub(super) fn host(labels: &BTreeMap<String, String>) -> Option<String> {
    first(labels, &["host", "hostname"]).or_else(|| {
        first(labels, &["instance"])
            .map(|instance| host_of_instance(&instance))
            .filter(|h| !h.is_empty())
    })
}

/// An explicit `configuration_item` or `ci` label; the caller falls back to the host.
pub(super) fn configuration_item(labels: &BTreeMap<String, String>) -> Option<String> {
    first(labels, &["configuration_item", "ci"])
}

/// Label `service`, else `job`.
pub(super) fn service(labels: &BTreeMap<String, String>) -> Option<String> {
    first(labels, &["service", "job"])
}

fn first(labels: &BTreeMap<String, String>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|name| labels.get(*name))
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `host:port` -> `host`, `[::1]:9100` -> `::1`, `scheme://host:port/path` -> `host`. A bare
/// IPv6 address (several colons, no brackets) has no port to strip and is kept whole.
fn host_of_instance(instance: &str) -> String {
    let authority = match instance.split_once("://") {
        Some((_, rest)) => rest.split(['/', '?', '#']).next().unwrap_or(rest),
        None => instance,
    };
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed
            .split_once(']')
            .map_or(bracketed, |(inside, _)| inside)
            .to_owned();
    }
    match authority.split_once(':') {
        Some((host, port)) if !port.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host.to_owned()
        }
        _ => authority.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_forms() {
        assert_eq!(host_of_instance("192.168.69.53:8080"), "192.168.69.53");
        assert_eq!(host_of_instance("localhost"), "localhost");
        assert_eq!(host_of_instance("[2001:db8::1]:9100"), "2001:db8::1");
        assert_eq!(host_of_instance("2001:db8::1"), "2001:db8::1");
        assert_eq!(
            host_of_instance("https://example.com:8443/health"),
            "example.com"
        );
        assert_eq!(host_of_instance("http://example.com"), "example.com");
    }

    #[test]
    fn host_prefers_explicit_labels() {
        let labels: BTreeMap<String, String> = [
            ("instance".to_owned(), "10.0.0.1:9100".to_owned()),
            ("hostname".to_owned(), "db1".to_owned()),
        ]
        .into();
        assert_eq!(host(&labels).as_deref(), Some("db1"));
    }
}
