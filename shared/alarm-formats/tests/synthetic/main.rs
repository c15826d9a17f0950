//! Hand-written bodies: the rules the real payloads do not exercise, and refusals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod alertmanager_rules;
mod generic_format;
mod nagios_rules;
mod pagerduty_rules;
mod refusals;
mod zabbix_media_type;
