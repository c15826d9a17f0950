//! `/api/v1/reports/sla` and `/api/v1/reports/sla/simulate`: SLA compliance, breaches,
//! MTTA/MTTR and backlog per customer, service and period (readable by every read role,
//! `reporter` included), and what a proposed SLA or calendar would have made of a past period.

mod csv;
mod scope;
mod simulate;
mod sla;

pub use simulate::*;
pub use sla::*;

/// An instant query parameter: RFC 3339 or a date (midnight UTC).
pub(crate) fn instant_param(
    field: &str,
    text: &str,
) -> Result<chrono::DateTime<chrono::Utc>, crate::error::ApiError> {
    scope::instant(field, text)
}

pub(crate) fn bad_param(field: &str, message: &str) -> crate::error::ApiError {
    scope::bad(field, message)
}

pub(crate) fn unknown_param(field: &str, known: &str) -> crate::error::ApiError {
    scope::bad(field, format!("unknown query parameter; known: {known}"))
}

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(sla_report).service(simulate_sla);
}
