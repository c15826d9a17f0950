//! PagerDuty Events API v2 (`POST /v2/enqueue`), and the legacy v1 format
//! (`generic/2010-04-15/create_event.json`) still spoken by PagerDuty's agent integrations
//! (`pd-nagios`, `pd-zabbix`), so tools pointed at PagerDuty can be pointed here unchanged.
//!
//! Unlike the other formats, a PagerDuty event is not always an alarm: acknowledge and resolve
//! events only name an existing alert by its `dedup_key`. So the parser returns a
//! [`PagerDutyEvent`]; only a trigger carries a [`CanonicalAlarm`](crate::CanonicalAlarm).
//!
//! Validation follows PagerDuty's own, because a sender that works against PagerDuty must
//! work here and one PagerDuty would refuse should be refused the same way:
//! `routing_key` and `event_action` are required; a trigger needs `payload.summary` (at most
//! 1024 characters), `payload.source` and `payload.severity` (critical, error, warning or
//! info, exactly); `dedup_key` is at most 255 characters; acknowledge and resolve need a
//! `dedup_key`. PagerDuty's routing keys are 32 characters, but any non-empty key is accepted
//! here: the caller decides which keys are valid. Unknown fields are ignored.
//!
//! The format is chosen by its key fields: `routing_key`/`event_action` mean v2,
//! `service_key`/`event_type` mean v1 (see the `v1` module for its mapping).

mod details;
mod event;
mod limits;
mod v1;
mod v2;

pub use event::{EventAction, PagerDutyApi, PagerDutyEvent};

use crate::canonical::ParseError;
use crate::json::{self, Obj};
use chrono::{DateTime, Utc};

/// Parses an Events API v2 (or legacy v1) request body.
pub fn parse(body: &[u8], received_at: DateTime<Utc>) -> Result<PagerDutyEvent, ParseError> {
    let value = json::parse_body(body)?;
    let root = Obj::new(&value, "")?;
    if root.has("routing_key") || root.has("event_action") {
        v2::parse(&root, received_at)
    } else if root.has("service_key") || root.has("event_type") {
        v1::parse(&root, received_at)
    } else {
        Err(ParseError::new(
            "routing_key",
            "is required (Events API v2; legacy v1 events use service_key)",
        ))
    }
}
