//! Which integration sent a webhook: its key as a bearer token (or, for PagerDuty events, as
//! the `routing_key`), looked up by its SHA-256. An unknown or revoked key is a 401 the sender
//! should not retry; the log line names what was tried, never the key.

use crate::error::ApiError;
use crate::integrations::key::sha256_hex;
use crate::state::AppState;
use actix_web::HttpRequest;
use servicedesk_domain::integration::Integration;
use std::sync::Arc;

pub fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

pub async fn integration_for_key(
    state: &AppState,
    key: Option<String>,
    endpoint: &str,
) -> Result<Arc<Integration>, ApiError> {
    let Some(key) = key else {
        tracing::info!(endpoint, "alarm webhook without an integration key");
        return Err(ApiError::Unauthorized(
            "send the integration key as 'Authorization: Bearer <key>'".to_owned(),
        ));
    };
    let hash = sha256_hex(&key);
    let found = state.app.integration_by_key(&hash).await?;
    found.ok_or_else(|| {
        tracing::info!(
            endpoint,
            key_sha256_prefix = &hash[..8],
            "alarm webhook with an unknown or revoked integration key"
        );
        ApiError::Unauthorized("unknown or revoked integration key".to_owned())
    })
}
