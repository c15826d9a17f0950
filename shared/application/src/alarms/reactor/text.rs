//! What an incident opened by monitoring says: its title, description and attached alarm.

use servicedesk_domain::alarm::Alarm;
use servicedesk_domain::incident::AttachedAlarm;
use servicedesk_domain::text::{MAX_BODY, MAX_TITLE};

pub(super) fn attached(alarm: &Alarm) -> AttachedAlarm {
    AttachedAlarm {
        alarm: alarm.id,
        fingerprint: alarm.snapshot.fingerprint.clone(),
        summary: alarm.snapshot.summary.clone(),
        cleared: false,
        occurrences: None,
        last_seen: None,
    }
}

pub(super) fn title_of(alarm: &Alarm) -> String {
    let s = &alarm.snapshot;
    let text = match &s.host {
        Some(host) if !s.summary.contains(host.as_str()) => format!("{} on {host}", s.summary),
        _ => s.summary.clone(),
    };
    let line: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE)
        .collect();
    if line.trim().is_empty() {
        format!(
            "alarm {}",
            s.fingerprint.chars().take(64).collect::<String>()
        )
    } else {
        line
    }
}

pub(super) fn description_of(alarm: &Alarm) -> String {
    let s = &alarm.snapshot;
    let mut text = format!(
        "Opened by monitoring ({:?}) for alarm {} (severity {:?}).\n",
        s.source, s.fingerprint, s.severity
    );
    for (k, v) in s.annotations.iter().chain(s.labels.iter()) {
        text.push_str(&format!("{k}: {v}\n"));
    }
    for link in &s.links {
        text.push_str(&format!("link: {}\n", link.href));
    }
    text.chars().take(MAX_BODY).collect()
}
