//! Every payload in the shared folder, parsed as its tool meant it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod alertmanager;
mod grafana;
mod inventory;
mod nagios;
mod pagerduty;
mod reference_only;
mod zabbix;
