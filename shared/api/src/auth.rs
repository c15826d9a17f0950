//! JWT bearer authentication, two kinds of token:
//! - servicedesk's own (`servicedesk token issue`): HS256 with the shared secret, roles in
//!   `roles`;
//! - an OIDC provider's (when configured, see [`crate::oidc`]): RS256/ES256 against its JWKS.
//!
//! The token's header only says which of the two to try; each pins its own algorithms and
//! keys, so an HS256 token is only ever checked with the local secret and a provider token
//! only with the provider's public keys. `exp`, `iss` and `aud` are always checked.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use servicedesk_store::Actor;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Manager,
    Reporter,
    Admin,
    Integration,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Agent,
        Self::Manager,
        Self::Reporter,
        Self::Admin,
        Self::Integration,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Manager => "manager",
            Self::Reporter => "reporter",
            Self::Admin => "admin",
            Self::Integration => "integration",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Who may do what. Kept in one place so the matrix can be read at a glance.
pub mod permission {
    use super::Role::{self, *};
    pub const READ_TICKETS: &[Role] = &[Agent, Manager, Reporter, Admin];
    pub const WRITE_TICKETS: &[Role] = &[Agent, Manager, Admin];
    pub const ADMINISTER: &[Role] = &[Admin];
    /// Customers, services, calendars, SLAs and contracts.
    pub const MANAGE_CONTRACTS: &[Role] = &[Manager, Admin];
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub roles: Vec<Role>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and verifies tokens with one shared secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    pub fn issue(
        &self,
        sub: &str,
        roles: &[Role],
        now: i64,
        ttl_seconds: i64,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            sub: sub.to_owned(),
            roles: roles.to_vec(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            exp: now + ttl_seconds,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| ApiError::Unauthorized(format!("invalid bearer token: {e}")))
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: String,
    pub roles: Vec<Role>,
}

impl Caller {
    /// Refuses with 403 unless the caller has one of `allowed`.
    pub fn require(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if self.roles.iter().any(|r| allowed.contains(r)) {
            return Ok(());
        }
        let wanted = allowed
            .iter()
            .map(Role::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        Err(ApiError::Forbidden(format!(
            "this needs one of the roles [{wanted}]; the token of {} has [{}]",
            self.subject,
            self.roles
                .iter()
                .map(Role::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }

    pub fn actor(&self) -> Actor {
        if self.roles.contains(&Role::Integration) {
            Actor {
                kind: servicedesk_store::ActorKind::Integration,
                id: self.subject.clone(),
            }
        } else {
            Actor::user(self.subject.clone())
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized("missing Authorization: Bearer <token> header".to_owned())
        })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".to_owned())
        })?
        .to_owned();
    let local = jsonwebtoken::decode_header(&token).is_ok_and(|h| h.alg == Algorithm::HS256);
    let caller = match (&state.oidc, local) {
        (Some(oidc), false) => {
            let identity = oidc.verify(&token).await?;
            Caller {
                subject: identity.subject,
                roles: identity.roles,
            }
        }
        _ => {
            let claims = state.keys.verify(&token)?;
            Caller {
                subject: claims.sub,
                roles: claims.roles,
            }
        }
    };
    if caller.roles.is_empty() {
        return Err(ApiError::Forbidden(format!(
            "the token of {} carries no servicedesk role",
            caller.subject
        )));
    }
    Ok(caller)
}
