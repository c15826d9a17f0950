//! E-mail over SMTP (lettre's blocking transport on a blocking thread). The message id and an
//! `X-Servicedesk-Notification` header carry the notification's id, so a repeat is
//! recognisable.

use crate::notifier::SmtpRelay;
use lettre::message::header::ContentType;
use lettre::{Message, SmtpTransport, Transport};
use servicedesk_domain::incident::{IncidentId, Notification};
use std::time::Duration;

pub(super) async fn deliver(
    relay: &SmtpRelay,
    incident: IncidentId,
    notification: &Notification,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let relay = relay.clone();
    let notification = notification.clone();
    let date = std::time::SystemTime::from(now);
    tokio::task::spawn_blocking(move || send(&relay, incident, &notification, date))
        .await
        .map_err(|e| format!("the delivery task failed: {e}"))?
}

/// `date`: the injected clock's now, so a message's date agrees with the ticket's history.
fn send(
    relay: &SmtpRelay,
    incident: IncidentId,
    n: &Notification,
    date: std::time::SystemTime,
) -> Result<(), String> {
    let from = relay
        .from
        .parse()
        .map_err(|e| format!("the sender {:?}: {e}", relay.from))?;
    let to =
        n.to.parse()
            .map_err(|e| format!("the address {:?}: {e}", n.to))?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(n.subject.clone())
        .date(date)
        .message_id(Some(format!("<{}@servicedesk>", n.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(format!(
            "{}\n\nIncident: {}/api/v1/incidents/{incident}\nNotification: {}\n",
            n.body, relay.link_base, n.id
        ))
        .map_err(|e| format!("the message: {e}"))?;
    let transport = SmtpTransport::builder_dangerous(relay.host.as_str())
        .port(relay.port)
        .timeout(Some(Duration::from_secs(10)))
        .build();
    transport
        .send(&message)
        .map(|_| ())
        .map_err(|e| format!("SMTP {}:{}: {e}", relay.host, relay.port))
}
