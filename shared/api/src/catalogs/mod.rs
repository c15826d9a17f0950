//! `/api/v1/slas` and `/api/v1/contracts`: the catalog the SLA timers will run on. Managers and
//! admins write; every read role reads. Each entry has an ETag (its version); `PUT` replaces
//! it whole and takes `If-Match`.

mod contracts;
mod slas;

pub use crate::entry::{ContractView, SlaView};
pub use contracts::*;
pub use slas::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_sla)
        .service(list_slas)
        .service(get_sla)
        .service(replace_sla)
        .service(resolve_contract)
        .service(create_contract)
        .service(list_contracts)
        .service(get_contract)
        .service(replace_contract);
}
