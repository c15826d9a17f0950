//! The application layer: the [`App`] with its ports (event store, clock, ids, read models),
//! one [`App::execute`] for any aggregate, the alarm ingestor, and the background processes
//! that follow the log (today the alarm reactor). No HTTP here: the `api` crate maps requests
//! to commands and [`AppError`]s to problem documents.

mod agenda;
pub mod alarms;
mod app;
mod directory;
mod error;
mod execute;
mod ids;
mod integrations;
mod local_leases;
mod metrics;
pub mod notifier;
mod sla;
mod sla_scheduler;
mod sla_simulation;
mod stream_locks;
pub mod streams;

pub use agenda::Agenda as SlaAgenda;
pub use app::{App, AppSettings, Background};
pub use error::AppError;
pub use execute::{Executed, Execution, ReadYourWrites};
pub use ids::{Ids, UuidV7Ids};
pub use local_leases::LocalLeases;
pub use metrics::WriteMetrics;
pub use sla_simulation::Proposal;
