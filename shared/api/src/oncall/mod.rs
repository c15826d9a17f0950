//! `/api/v1/people`, `/api/v1/groups` and `/api/v1/schedules`: who can be told of a ticket
//! (admins write people and groups; managers and admins write schedules; every read role
//! reads), and who is on call when.

mod groups;
mod people;
mod schedules;

pub use crate::entry::{GroupView, PersonView, ScheduleView};
pub use groups::*;
pub use people::*;
pub use schedules::*;

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use servicedesk_domain::people::person::PersonId;
use servicedesk_domain::FieldError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_person)
        .service(list_people)
        .service(get_person)
        .service(replace_person)
        .service(create_group)
        .service(list_groups)
        .service(get_group)
        .service(replace_group)
        .service(create_schedule)
        .service(list_schedules)
        .service(schedule_oncall)
        .service(schedule_shifts)
        .service(schedule_calendar)
        .service(get_schedule)
        .service(replace_schedule);
}

fn validation(errors: Vec<FieldError>) -> ApiError {
    ApiError::Invalid {
        detail: crate::error::describe(&errors),
        errors,
    }
}

/// Refuses the fields that name people nobody defined.
async fn require_people(state: &AppState, named: Vec<(String, String)>) -> Result<(), ApiError> {
    let db = state.app.read_models.clone();
    let missing = web::block(move || {
        let mut missing = Vec::new();
        for (field, person) in named {
            if db.person(PersonId::of_sub(&person))?.is_none() {
                missing.push(FieldError::new(
                    field,
                    format!("no person {person:?}; define them at /api/v1/people first"),
                ));
            }
        }
        Ok::<_, servicedesk_projections::ProjectionError>(missing)
    })
    .await
    .map_err(ApiError::internal)??;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(validation(missing))
    }
}
