//! `/api/v1/calendars`: business calendars (managers and admins write, the read roles read),
//! and the deadline arithmetic SLA timers use, asked from outside.

mod dto;
mod handlers;

pub use dto::*;
pub use handlers::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_calendar)
        .service(list_calendars)
        .service(get_calendar)
        .service(replace_calendar)
        .service(calendar_deadline)
        .service(import_calendar_holidays);
}
