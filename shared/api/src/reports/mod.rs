//! `/api/v1/reports/sla` and `/api/v1/reports/sla/simulate`: SLA compliance, breaches,
//! MTTA/MTTR and backlog per customer, service and period (readable by every read role,
//! `reporter` included), and what a proposed SLA or calendar would have made of a past period.

mod csv;
mod scope;
mod simulate;
mod sla;

pub use simulate::*;
pub use sla::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(sla_report).service(simulate_sla);
}
