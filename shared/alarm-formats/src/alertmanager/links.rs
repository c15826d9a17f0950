//! Links an alert carries: where it was generated, its runbook, and Grafana's extras.

use crate::canonical::{AlarmLink, ParseError};
use crate::json::Obj;
use std::collections::BTreeMap;

/// `generatorURL`, the `runbook_url` annotation, then Grafana's `dashboardURL`, `panelURL`,
/// `silenceURL`, `imageURL`; empty strings (Grafana sends `""` for unset URLs) are skipped.
/// Hrefs are passed through as sent, even relative ones (Alertmanager 04's generatorURL is a
/// path): resolving them against `externalURL` would guess at the sender's routing.
pub(super) fn links(
    alert: &Obj<'_>,
    annotations: &BTreeMap<String, String>,
) -> Result<Vec<AlarmLink>, ParseError> {
    Ok(links_from(
        alert.opt_str("generatorURL")?,
        annotations,
        [
            alert.opt_str("dashboardURL")?,
            alert.opt_str("panelURL")?,
            alert.opt_str("silenceURL")?,
            alert.opt_str("imageURL")?,
        ],
    ))
}

/// `grafana`: dashboardURL, panelURL, silenceURL, imageURL.
pub(super) fn links_from(
    generator: Option<&str>,
    annotations: &BTreeMap<String, String>,
    grafana: [Option<&str>; 4],
) -> Vec<AlarmLink> {
    let mut links = Vec::new();
    push(&mut links, generator, "Source");
    push(
        &mut links,
        annotations.get("runbook_url").map(String::as_str),
        "Runbook",
    );
    for (href, text) in grafana
        .into_iter()
        .zip(["Dashboard", "Panel", "Silence", "Image"])
    {
        push(&mut links, href, text);
    }
    links
}

fn push(links: &mut Vec<AlarmLink>, href: Option<&str>, text: &str) {
    if let Some(href) = href.map(str::trim).filter(|h| !h.is_empty()) {
        links.push(AlarmLink {
            href: href.to_owned(),
            text: Some(text.to_owned()),
        });
    }
}
