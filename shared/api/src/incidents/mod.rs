//! `/api/v1/incidents`: thin handlers that parse, authorize, and hand a command to `execute`.

mod dto;
mod notifications;
mod outbox;
mod query;
mod read;
mod sla;
mod write;

pub use dto::*;
pub use notifications::*;
pub use outbox::*;
pub(crate) use query::query_pairs;
pub use query::ListParams;
pub use read::*;
pub use write::*;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_incident)
        .service(list_incidents)
        .service(get_incident)
        .service(incident_history)
        .service(update_incident)
        .service(assign_incident)
        .service(transition_incident)
        .service(comment_incident)
        .service(link_incident)
        .service(unlink_incident)
        .service(incident_notifications)
        .service(retry_notification)
        .service(list_notifications)
        .service(retry_any_notification);
}
