//! SMS through an HTTP gateway: a POST of a JSON (or form) body built from a template, so any
//! provider fits: `{to}` and `{text}` in the template are replaced by the number and the
//! message (escaped for the body's kind).

use crate::notifier::SmsGateway;
use servicedesk_domain::incident::{IncidentId, Notification};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// An SMS is short: the subject and where to look.
fn text(incident: IncidentId, notification: &Notification) -> String {
    format!("{} /api/v1/incidents/{incident}", notification.subject)
}

pub(super) async fn deliver(
    gateway: &SmsGateway,
    incident: IncidentId,
    notification: &Notification,
) -> Result<(), String> {
    let body = fill(
        &gateway.template,
        &notification.to,
        &text(incident, notification),
        gateway.form,
    );
    let gateway = gateway.clone();
    let key = notification.id.to_string();
    tokio::task::spawn_blocking(move || post(&gateway, &body, &key))
        .await
        .map_err(|e| format!("the delivery task failed: {e}"))?
}

fn fill(template: &str, to: &str, text: &str, form: bool) -> String {
    let escape = |value: &str| -> String {
        if form {
            value
                .bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_owned(),
                    other => format!("%{other:02X}"),
                })
                .collect()
        } else {
            // the JSON string's inside, without its quotes
            let quoted = serde_json::to_string(value).unwrap_or_default();
            quoted[1..quoted.len().saturating_sub(1).max(1)].to_owned()
        }
    };
    template
        .replace("{to}", &escape(to))
        .replace("{text}", &escape(text))
}

fn post(gateway: &SmsGateway, body: &str, key: &str) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let content_type = if gateway.form {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let mut request = agent
        .post(&gateway.url)
        .header("Content-Type", content_type)
        .header("Idempotency-Key", key);
    if let Some(auth) = &gateway.authorization {
        request = request.header("Authorization", auth);
    }
    let reply = request
        .send(body)
        .map_err(|e| format!("POST {}: {e}", gateway.url))?;
    let status = reply.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("POST {}: HTTP {status}", gateway.url))
    }
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn templates_take_the_number_and_text_escaped_for_their_kind() {
        let json = fill(
            r#"{"to": "{to}", "message": "{text}"}"#,
            "+4915112345678",
            "P1 \"down\"",
            false,
        );
        assert_eq!(
            json,
            r#"{"to": "+4915112345678", "message": "P1 \"down\""}"#
        );
        let form = fill(
            "To={to}&Body={text}",
            "+4915112345678",
            "P1 down & out",
            true,
        );
        assert_eq!(form, "To=%2B4915112345678&Body=P1+down+%26+out");
    }
}
