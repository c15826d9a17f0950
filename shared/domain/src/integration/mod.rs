//! An integration: one monitoring source (an Alertmanager, a Zabbix, a PagerDuty-speaking tool)
//! that may post alarms, with its key, its defaults for the incidents it causes, and its alarm
//! rules. Only the SHA-256 of the key is ever stored; the key itself is shown once.

mod decide;
mod event;
mod state;
#[cfg(test)]
mod tests;

pub use decide::{decide, IntegrationCommand};
pub use event::IntegrationEvent;
pub use state::{evolve, Integration, IntegrationDefaults, IntegrationId};
