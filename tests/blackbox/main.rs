//! Black-box tests: the real `servicedesk` binary over HTTP on a free port, a real SQLite file
//! in a temporary data dir. Nothing is mocked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod alarm_durability;
mod alarm_incidents;
mod alarm_rules;
mod alarms;
mod alertmanager_e2e;
mod auth;
mod backends;
mod bad_input;
mod calendars;
mod contracts;
mod crash;
mod incidents;
mod instances;
mod integrations;
mod listing;
mod notifications;
mod oidc;
mod oncall;
mod openapi_statuses;
mod operations;
mod postgres_restart;
mod rebuild;
mod registries;
mod sla_reports;
mod sla_scheduler;
mod sla_timers;
