//! servicedesk's own alarm JSON: the format for senders without a dedicated parser (scripts,
//! cron jobs, in-house tools). The body is one alarm object or a non-empty array of them:
//!
//! | field | type | |
//! |---|---|---|
//! | `source` | string | optional, a source kind (`generic`, `alertmanager`, ...); default `generic` |
//! | `fingerprint` | string | optional; default: [`stable_hash`] of the labels (sorted, name then value), the host and the summary |
//! | `severity` | `critical` \| `error` \| `warning` \| `info` | required |
//! | `status` | `firing` \| `resolved` \| `acknowledged` | optional, default `firing` |
//! | `summary` | string | required, not blank, at most 1024 characters |
//! | `host`, `configuration_item`, `service`, `alarm_name` | string | optional; `configuration_item` defaults to `host` |
//! | `labels`, `annotations` | object of strings | optional |
//! | `links` | array of `{"href": string, "text"?: string}` | optional |
//! | `started_at` | RFC 3339 string | optional |
//!
//! Because it is our own format, it is strict: an unknown field (at any level) is refused,
//! naming it (`[1].serverity`), so a typo cannot silently drop information. Send an explicit
//! `fingerprint` when the summary carries changing values (a measurement, a time), or every
//! occurrence would count as a new alarm.
//!
//! [`stable_hash`]: crate::stable_hash

mod alarm;

use crate::canonical::{CanonicalAlarm, ParseError};
use crate::json::{self, Obj};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Parses one alarm object or an array of them.
pub fn parse(body: &[u8], received_at: DateTime<Utc>) -> Result<Vec<CanonicalAlarm>, ParseError> {
    let value = json::parse_body(body)?;
    match &value {
        Value::Array(items) if items.is_empty() => {
            Err(ParseError::new("body", "expected at least one alarm"))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                alarm::parse(&Obj::new(item, json::index_path("", index))?, received_at)
            })
            .collect(),
        Value::Object(_) => Ok(vec![alarm::parse(&Obj::new(&value, "")?, received_at)?]),
        other => Err(json::wrong_type("", "an object or an array", other)),
    }
}
