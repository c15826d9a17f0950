//! The service-desk domain: pure `decide`/`evolve` functions over ticket state.
//!
//! Nothing here does IO, runs async code or reads the clock: the caller passes `now` in, so
//! tests (and the SLA engine later) can move time at will.

pub mod aggregate;
pub mod alarm;
pub mod calendar;
pub mod catalog;
pub mod codec;
pub mod contract;
pub mod customer;
pub mod error;
pub mod incident;
pub mod integration;
pub mod oncall;
pub mod people;
pub mod priority;
pub mod problem;
pub mod service;
pub mod sla;
pub mod slug;
pub mod stream_id;
pub mod text;

pub use aggregate::{Aggregate, DecisionContext, StreamId};
pub use error::{DomainError, FieldError};
pub use priority::{Impact, Priority, PriorityMatrix, Urgency};
