//! Webhook delivery: the notification as JSON, signed with an HMAC of the body, with an
//! idempotency key (the notification's id) so a receiver can drop a repeat.

use crate::App;
use hmac::{Hmac, Mac};
use servicedesk_domain::incident::{IncidentId, Notification};
use sha2::Sha256;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn deliver(
    app: &App,
    incident: IncidentId,
    notification: &Notification,
    attempt: u32,
) -> Result<(), String> {
    let body = serde_json::json!({
        "id": notification.id,
        "incident": incident.0,
        "link": format!("/api/v1/incidents/{incident}"),
        "attempt": attempt,
        "person": notification.person,
        "subject": notification.subject,
        "text": notification.body,
        "reason": notification.reason,
    })
    .to_string();
    let signature = app
        .settings
        .notifications
        .webhook_secret
        .as_deref()
        .map(|secret| sign(secret, &body));
    let url = notification.to.clone();
    let key = notification.id.to_string();
    tokio::task::spawn_blocking(move || post(&url, &body, &key, signature.as_deref()))
        .await
        .map_err(|e| format!("the delivery task failed: {e}"))?
}

fn sign(secret: &str, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn post(url: &str, body: &str, key: &str, signature: Option<&str>) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let mut request = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key);
    if let Some(signature) = signature {
        request = request.header("Servicedesk-Signature", signature);
    }
    let reply = request.send(body).map_err(|e| format!("POST {url}: {e}"))?;
    let status = reply.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("POST {url}: HTTP {status}"))
    }
}
