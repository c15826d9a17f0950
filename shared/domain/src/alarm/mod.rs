//! The alarm: one stream per (integration, fingerprint), holding every occurrence of what a
//! monitoring system reported under that key. `decide` turns a delivery into facts (raised,
//! repeated, resolved, acknowledged, flapping); which incident it opens or clears is decided by
//! the alarm policy, not here.

pub mod canonical;
mod canonical_names;
mod command;
mod decide;
mod event;
mod evolve;
pub mod flapping;
pub mod journal;
pub mod policy;
#[cfg(test)]
mod policy_tests;
pub mod rules;
mod state;
#[cfg(test)]
mod tests;

pub use canonical::{AlarmLink, AlarmStatus, CanonicalAlarm, Lifecycle, Severity, SourceKind};
pub use command::{AlarmCommand, ReceiveAlarm};
pub use decide::{decide, decide_delivery};
pub use event::AlarmEvent;
pub use evolve::{evolve, replay};
pub use state::{Alarm, AlarmId, AlarmSnapshot};
