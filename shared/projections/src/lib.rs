//! Read models: SQL tables built only from events, each projection's checkpoint written in the
//! same transaction as the rows it changed, so a restart neither skips nor repeats an event.

mod alarm_repeats;
mod alarms;
mod calendars;
mod catalogs;
mod db;
mod error;
mod fold;
mod fts;
mod incidents;
mod integrations;
mod notifications;
mod problems;
mod query;
mod rebuild;
mod registry;
mod row;
mod row_per_aggregate;
mod runner;
pub mod sla_agenda;
mod sla_report;
pub mod sla_targets;
mod time;

pub use alarm_repeats::start as follow_repeat_counts;
pub use alarms::AlarmFilter;
pub use db::{FollowerCheckpoint, ReadModelDb, READ_MODEL_SCHEMA_VERSION};
pub use error::ProjectionError;
pub use query::{Cursor, IncidentFilter, IncidentPage, IncidentSort, SlaStateFilter};
pub use rebuild::{rebuild, RebuildReport};
pub use runner::{ProjectionHandle, ProjectionRunner};
pub use sla_report::{SlaCalendars, TargetRow};
