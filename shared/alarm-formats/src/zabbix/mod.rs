//! Zabbix, through servicedesk's own webhook media type.
//!
//! Zabbix has no fixed webhook body: a media type (a JavaScript function plus parameters that
//! Zabbix fills from macros) builds it. servicedesk's media type posts this JSON object
//! (snake_case; values may be strings or numbers, since macros expand to text):
//!
//! | field | macro | |
//! |---|---|---|
//! | `event_id` | `{EVENT.ID}` | required |
//! | `event_value` | `{EVENT.VALUE}` | `"1"` problem, `"0"` recovery; or instead: |
//! | `status` | `{EVENT.STATUS}` | `PROBLEM`, `OK` or `RESOLVED` |
//! | `update_status` | `{EVENT.UPDATE.STATUS}` | `"1"` for an update (acknowledge, comment, ...) |
//! | `update_action` | `{EVENT.UPDATE.ACTION}` | optional: what the update did |
//! | `severity` | `{EVENT.NSEVERITY}` or `{EVENT.SEVERITY}` | 0-5 or the name, required |
//! | `host` / `hostname` | `{HOST.HOST}` / `{HOST.NAME}` | one required |
//! | `host_ip` | `{HOST.IP}` | optional |
//! | `event_name` | `{EVENT.NAME}` | the problem name with macros resolved |
//! | `trigger_name` / `name` | `{TRIGGER.NAME}` | one of event_name/trigger_name/name required |
//! | `trigger_id` | `{TRIGGER.ID}` | optional, but it makes the fingerprint |
//! | `trigger_description`, `opdata`, `item`, `message` | `{TRIGGER.DESCRIPTION}`, `{EVENT.OPDATA}`, `{ITEM.NAME}: {ITEM.VALUE}`, `{ALERT.MESSAGE}` | optional, kept as annotations |
//! | `link` / `url` | `{$ZABBIX.URL}/tr_events.php?triggerid={TRIGGER.ID}&eventid={EVENT.ID}` | optional |
//! | `event_tags` | `{EVENT.TAGSJSON}` | `[{"tag":..,"value":..}]`, an object, or that JSON as a string |
//! | `started_at` | | RFC 3339; or instead: |
//! | `event_date` + `event_time` (+ `event_timezone`) | `{EVENT.DATE}` `{EVENT.TIME}` | `2024.01.31` `12:34:56`, read as UTC unless `event_timezone` (`+02:00`) says otherwise: Zabbix gives no zone |
//!
//! The parameter names of Zabbix's stock PagerDuty and Opsgenie media types are accepted as
//! aliases (`eventid`, `eventvalue`, `eventupdate`, `event_update_status`, `event_nseverity`,
//! `triggerid`, `hostip`, `eventtags`, `event_tags_json`, `eventdate`, `eventtime`,
//! `triggerdesc`, `triggeropdata`, `alert_message`, `alert_subject`), so their parameter lists
//! can be reused. A value that is still a macro (`{EVENT.ID}`) means the media type was set up
//! wrong; it is refused, naming the field.
//!
//! Mapping:
//! - severity: 0 Not classified, 1 Information -> info; 2 Warning -> warning; 3 Average,
//!   4 High -> error; 5 Disaster -> critical. Average and High both land on error (hosting
//!   contracts speak of "warning" and "error"; only Disaster is a page-now), so the Zabbix
//!   name is kept in label `zabbix_severity`. Anything else is refused, listing the values.
//! - status: event_value/status decide problem (firing) or recovery (resolved). An update
//!   (`update_status` 1) of an open problem is acknowledged, unless `update_action` shows it
//!   did something else: "closed" -> resolved; "unacknowledged", or only a comment or severity
//!   change -> firing with lifecycle Custom (an event, not a state change).
//! - fingerprint `zabbix:<trigger_id>:<host>` (a trigger fires per host; recovery events carry
//!   the same trigger), else `zabbix:event:<event_id>`.
//! - host and configuration_item = host (tag `configuration_item`/`ci` overrides the item);
//!   service = tag `service`; alarm_name = trigger name; summary = event name, else trigger
//!   name; tags -> labels (repeated tags joined with ","); link -> links.
//!
//! Also accepted: the body of Zulip's Zabbix media type (`hostname`, `severity`, `status`,
//! `item`, `trigger`, `link`), recognised by its `trigger` field and the absence of an event
//! id. Its fingerprint is `zabbix:<triggerid>:<hostname>` when the link carries
//! `triggerid=` (Zulip's template builds the link from `{TRIGGER.ID}`), so its problem and
//! recovery pair up even though their trigger texts differ; otherwise
//! `zabbix:<stable_hash(hostname, trigger)>`.
//!
//! Unknown fields are ignored.

mod event;
mod fields;
mod media_type;
mod severity;
mod status;
mod tags;
mod zulip;

pub use severity::ZabbixSeverity;

use crate::canonical::{CanonicalAlarm, ParseError};
use crate::json::{self, Obj};
use chrono::{DateTime, Utc};
use fields::Reader;

/// Parses a body posted by servicedesk's Zabbix media type (or Zulip's). A Zabbix
/// notification is about one event, so the vector always holds exactly one alarm; it is a
/// vector so every format's parser has the same shape.
pub fn parse(body: &[u8], received_at: DateTime<Utc>) -> Result<Vec<CanonicalAlarm>, ParseError> {
    let value = json::parse_body(body)?;
    let reader = Reader::new(Obj::new(&value, "")?);
    let alarm = if reader.has_any(media_type::EVENT_ID) {
        media_type::parse(&reader, received_at)?
    } else if reader.has_any(zulip::TRIGGER) {
        zulip::parse(&reader, received_at)?
    } else {
        return Err(json::required("event_id"));
    };
    Ok(vec![alarm])
}
