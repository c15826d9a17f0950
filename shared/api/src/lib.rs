//! The HTTP API: thin actix-web handlers over the domain, the event store and the read models.

pub mod admin_clock;
pub mod alarms;
pub mod auth;
pub mod calendars;
pub mod catalogs;
pub mod command;
pub mod entry;
pub mod error;
pub mod extract;
pub mod incidents;
pub mod integrations;
pub mod metrics;
pub mod oidc;
pub mod oncall;
pub mod openapi;
pub mod ops;
pub mod positions;
pub mod problems;
mod query_string;
pub mod registries;
pub mod reports;
pub mod startup;
pub mod state;

pub use auth::{JwtKeys, Role};
pub use error::ApiError;
pub use startup::build_server;
pub use state::{ApiSettings, AppState};
