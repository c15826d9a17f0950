//! Read-your-writes across instances. Every answer says how far into the log it reaches
//! (`Servicedesk-Position`): a write's answer, the log head once the write is durable; a
//! read's, the position the instance's read models had reached before it read. A client that
//! sends a position back as `Servicedesk-Min-Position` is answered only once the instance it
//! reaches has projected the log that far, so a write on one instance is visible in a read on
//! any other. (One instance waits for its own read models before answering a write anyway.)

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

pub const POSITION: &str = "servicedesk-position";
pub const MIN_POSITION: &str = "servicedesk-min-position";
/// As people write it, for messages.
const MIN_POSITION_NAME: &str = "Servicedesk-Min-Position";

pub async fn read_your_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if let Some(value) = req.headers().get(MIN_POSITION) {
        let wanted = match value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            Some(wanted) => wanted,
            None => {
                let message = format!(
                    "{MIN_POSITION_NAME} must be a log position (a non-negative integer), not {value:?}"
                );
                let error = ApiError::Malformed {
                    detail: message.clone(),
                    errors: vec![servicedesk_domain::FieldError::new(
                        "Servicedesk-Min-Position",
                        message,
                    )],
                };
                return Ok(req
                    .into_response(error.error_response())
                    .map_into_right_body());
            }
        };
        let timeout = state.app.settings.read_your_writes_timeout;
        if !state.app.projections.wait_for(wanted, timeout).await {
            let error = ApiError::Unavailable(format!(
                "this instance has read the log up to {} and not yet up to {wanted} \
                 ({MIN_POSITION_NAME}); retry",
                state.app.projections.position()
            ));
            return Ok(req
                .into_response(error.error_response())
                .map_into_right_body());
        }
    }
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    let before = state.app.projections.position();
    let mut response = next.call(req).await?;
    let position = if reads {
        before
    } else {
        *state.app.store.head().borrow()
    };
    if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(POSITION), value);
    }
    Ok(response.map_into_left_body())
}
