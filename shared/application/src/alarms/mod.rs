//! Alarms after parsing: the ingestor records deliveries in their streams (the one writer of
//! alarm streams in a process), and the reactor turns alarm changes into incident and problem
//! commands.

mod ingestor;
pub mod reactor;

pub use ingestor::{AlarmIngestor, IngestError, Ingested};
