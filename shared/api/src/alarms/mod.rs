//! Alarm webhooks: each monitoring format parsed into canonical alarms, each alarm recorded in
//! its stream, and `202 Accepted` only once every one of them is durable in the log.

mod handlers;
mod ingest;
mod queries;
mod source;

pub use handlers::*;
pub use queries::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(post_canonical)
        .service(post_alertmanager)
        .service(post_pagerduty)
        .service(post_pagerduty_enqueue)
        .service(post_pagerduty_v1)
        .service(post_nagios)
        .service(post_zabbix)
        .service(list_alarms)
        .service(get_alarm);
}
