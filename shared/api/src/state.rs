use crate::auth::JwtKeys;
use crate::metrics::Metrics;
use servicedesk_application::App;
use std::sync::Arc;

/// Settings of the HTTP layer that come from configuration.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    pub max_body_bytes: usize,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 1 << 20,
        }
    }
}

/// Everything a handler needs, shared by all workers: the application, and what only HTTP
/// knows of (tokens, body limits, request metrics, the test clock's controls).
pub struct AppState {
    pub app: Arc<App>,
    pub keys: JwtKeys,
    /// Tokens of an external identity provider, when one is configured.
    pub oidc: Option<Arc<crate::oidc::OidcVerifier>>,
    pub settings: ApiSettings,
    pub metrics: Arc<Metrics>,
    /// Set when the server runs on a manual clock (`SERVICEDESK_CLOCK=manual`): tests move
    /// time through `POST /api/v1/admin/clock` instead of sleeping.
    pub manual_clock: Option<Arc<servicedesk_store::ManualClock>>,
}
