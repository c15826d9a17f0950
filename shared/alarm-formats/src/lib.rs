//! Monitoring alarm formats and their mapping to one canonical alarm.
//!
//! Pure parsing: bytes in, canonical alarms out. No IO, no clock (`received_at` is passed in).
//! Each sender format has its own module; all of them produce [`CanonicalAlarm`]s, and every
//! refusal is a [`ParseError`] naming the field at fault (a 4xx the sender should not retry).

pub mod alertmanager;
pub mod canonical;
pub mod generic;
mod hash;
mod json;
pub mod nagios;
mod names;
pub mod pagerduty;
mod time;
pub mod zabbix;

pub use canonical::{
    AlarmLink, AlarmStatus, CanonicalAlarm, Lifecycle, ParseError, Severity, SourceKind,
};
pub use hash::{label_fingerprint, stable_hash};
