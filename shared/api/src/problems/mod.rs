//! `/api/v1/problems`: problems as recurring incidents made them. Reading only for now; their
//! management (investigation, known errors, changes) comes with the problem issue.

mod handlers;

pub use handlers::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_problems).service(get_problem);
}
