//! `/api/v1/integrations` (admin): the monitoring sources allowed to post alarms.

mod dto;
mod handlers;
pub mod key;

pub use dto::*;
pub use handlers::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(register_integration)
        .service(list_integrations)
        .service(get_integration)
        .service(change_integration)
        .service(rotate_integration_key)
        .service(revoke_integration);
}
