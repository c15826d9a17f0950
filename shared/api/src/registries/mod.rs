//! `/api/v1/customers` and `/api/v1/services`: the customers and business services tickets
//! name by slug. Managers and admins write; every read role reads. The slug is the key (and
//! the path): it never changes; `PUT` replaces the rest and takes `If-Match`.

mod customers;
mod services;

pub use crate::entry::{CustomerView, ServiceView};
pub use customers::*;
pub use services::*;

use crate::error::ApiError;
use actix_web::web;
use servicedesk_domain::slug::slug_error;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_customer)
        .service(list_customers)
        .service(get_customer)
        .service(replace_customer)
        .service(create_service)
        .service(list_services)
        .service(get_service)
        .service(replace_service);
}

/// The slug in the path; a body naming another is refused (the slug is the key).
fn path_slug(path: &str, body_slug: Option<&str>) -> Result<String, ApiError> {
    if let Some(message) = slug_error(path) {
        return Err(ApiError::Malformed {
            detail: format!("slug: {message}"),
            errors: vec![servicedesk_domain::FieldError::new("slug", message)],
        });
    }
    if let Some(body) = body_slug.filter(|b| *b != path) {
        return Err(ApiError::invalid_field(
            "slug",
            format!(
                "the slug is the key and cannot change: the path says {path:?}, the body {body:?}"
            ),
        ));
    }
    Ok(path.to_owned())
}

fn validation(errors: Vec<servicedesk_domain::FieldError>) -> ApiError {
    ApiError::Invalid {
        detail: crate::error::describe(&errors),
        errors,
    }
}
