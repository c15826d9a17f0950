//! Nagios and Icinga notifications, posted by a notification command as
//! `application/x-www-form-urlencoded` (one field per Nagios macro, as PagerDuty's
//! `pagerduty_nagios.pl` / `pagerduty_icinga.pl` send them) or as a JSON object with the same
//! keys.
//!
//! # Accepted field names
//! Keys are matched case-insensitively, a `NAGIOS_` or `ICINGA_` prefix (the environment
//! variable spelling) is stripped, and `_`/`-` inside names are ignored, so `HOSTNAME`,
//! `NAGIOS_HOSTNAME`, `host_name` and `hostName` are the same field. After that:
//! - `NOTIFICATIONTYPE` (`notification_type`) - required
//! - `HOSTNAME` (`host_name`) - required; `HOSTADDRESS` (`host_address`, `address`)
//! - `SERVICEDESC` (`service_desc`, `service_description`, `service_name`) - required for a
//!   service notification
//! - `SERVICESTATE` / `HOSTSTATE` (`service_state`, `host_state`, or plain `state`) - required
//! - `SERVICESTATETYPE` / `HOSTSTATETYPE` (or plain `state_type`): HARD/SOFT, or Icinga 2's
//!   1/0 - optional
//! - `SERVICEOUTPUT` / `HOSTOUTPUT` (or plain `output`), `LONGSERVICEOUTPUT` /
//!   `LONGHOSTOUTPUT` (`long_output`), `SERVICEPERFDATA` / `HOSTPERFDATA` (`perfdata`)
//! - `LASTSERVICESTATECHANGE` / `LASTHOSTSTATECHANGE`, `TIMET` (Unix seconds), `LONGDATETIME`
//! - `NOTIFICATIONAUTHOR`, `NOTIFICATIONCOMMENT`, `HOSTGROUPNAMES`, `SERVICEGROUPNAMES`,
//!   `HOSTNOTESURL`, `SERVICENOTESURL`, `HOSTACTIONURL`, `SERVICEACTIONURL`
//! - `pd_nagios_object` (or `object`, `object_type`): host/service; without it, a non-empty
//!   `SERVICEDESC` means a service notification
//! - `source`: nagios/icinga/icinga2, to say which daemon sent it
//!
//! Empty values count as absent: Nagios expands unset macros to "" (a host notification
//! carries an empty `SERVICEDESC`). Other fields are ignored.
//!
//! # Mapping
//! - Notification type: PROBLEM -> firing, RECOVERY -> resolved, ACKNOWLEDGEMENT ->
//!   acknowledged. FLAPPINGSTART, FLAPPINGSTOP (Icinga 2: FLAPPINGEND), FLAPPINGDISABLED,
//!   DOWNTIMESTART, DOWNTIMEEND, DOWNTIMECANCELLED (Icinga 2: DOWNTIMEREMOVED) and CUSTOM are
//!   lifecycle signals (FlappingStart, FlappingStop, Downtime*, Custom) whose status follows
//!   the current state: OK/UP -> resolved, anything else -> firing.
//! - Severity from the state: CRITICAL and DOWN -> critical; UNKNOWN -> error (the check
//!   itself failed, so the service may be broken and nobody can tell: worse than a warning,
//!   not proven critical); UNREACHABLE -> error (a parent is down; this host may be fine);
//!   WARNING -> warning; OK and UP -> info. States may also be numbers (service 0-3, host
//!   0-2, the `$SERVICESTATEID$` values).
//! - Fingerprint `nagios:<host>/<service>` for a service, `nagios:<host>` for a host: the
//!   check object's identity, stable across notifications, and the same whether Nagios or
//!   Icinga sent it (host names cannot contain `/`, so the key is unambiguous).
//! - host and configuration_item = HOSTNAME; service and alarm_name = SERVICEDESC for a
//!   service; alarm_name `host` for a host check.
//! - summary `"<STATE>: <service> on <host> - <output>"` (host: `"<STATE>: <host> - <output>"`).
//! - started_at: when the current state began (`LAST*STATECHANGE`), else the notification
//!   time (`TIMET`, else `LONGDATETIME`). LONGDATETIME carries a zone *abbreviation*; only
//!   unambiguous ones (UTC, GMT, CET, CEST, EST, PDT, ...) are understood, any other leaves
//!   started_at unset rather than guess. The raw text stays in annotation `notification_time`.
//! - Source kind Icinga when a field had the `ICINGA_` prefix or `source` says so, else Nagios.
//!
//! Unknown NOTIFICATIONTYPE, state or state type values are a [`ParseError`] naming the field
//! as sent.

mod build;
mod clock;
mod fields;
mod form;
mod notification;
mod per_object;
mod read;
mod state;
mod types;

pub use types::{CheckObject, CheckState, NagiosNotification, NotificationType, StateType};

use crate::canonical::ParseError;
use crate::json::{self, Obj};
use chrono::{DateTime, Utc};
use fields::Fields;
use serde_json::Value;

/// Parses an `application/x-www-form-urlencoded` notification body.
pub fn parse_form(
    body: &[u8],
    received_at: DateTime<Utc>,
) -> Result<NagiosNotification, ParseError> {
    let mut fields = Fields::default();
    for (key, value) in form::decode(body)? {
        fields.insert(&key, value);
    }
    build::build(&fields, received_at)
}

/// Parses a JSON object with the same fields (string, number or boolean values; other
/// values are ignored).
pub fn parse_json(
    body: &[u8],
    received_at: DateTime<Utc>,
) -> Result<NagiosNotification, ParseError> {
    let value = json::parse_body(body)?;
    let root = Obj::new(&value, "")?;
    let mut fields = Fields::default();
    for (key, value) in root.entries() {
        // Macros expand to text; arrays and objects cannot be macro values, so like other
        // unknown fields they are ignored (Icinga 2 API bodies carry `performance_data` lists).
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => value.to_string(),
            Value::Null | Value::Array(_) | Value::Object(_) => continue,
        };
        fields.insert(key, text);
    }
    build::build(&fields, received_at)
}
