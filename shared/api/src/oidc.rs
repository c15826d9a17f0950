//! Tokens from the identity provider a company already runs (Keycloak, Entra ID, Okta,
//! Authentik, Dex...): RS256/ES256 JWTs checked against the provider's published keys (JWKS).
//!
//! - The algorithm comes from the key, never from the token: each key of the JWKS has one
//!   (its `alg`, else its type and curve), and a token whose header names another is refused.
//!   Symmetric (`oct`) keys in a JWKS are ignored, so a public key can never be used as an HMAC
//!   secret.
//! - `iss`, `aud`, `exp` and `sub` are required and checked (30 s leeway for clock skew).
//! - Keys are cached. A token signed by a key the cache lacks (the provider rotated) fetches
//!   the JWKS again, at most once per [`MIN_REFETCH`] (configurable); the cache is also refreshed in the
//!   background once older than [`MAX_AGE`]. While the provider is unreachable the cached keys
//!   keep working and a token with an unknown key is refused.
//! - Roles come from a claim named by a dotted path (`roles`, `realm_access.roles`,
//!   `resource_access.servicedesk.roles`, `groups`): an array of strings or one
//!   space-separated string; values that name a servicedesk role count, others are ignored.
//! - Without a JWKS URL, the provider's discovery document
//!   (`<issuer>/.well-known/openid-configuration`) names it.

use crate::auth::Role;
use crate::error::ApiError;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The shortest time between two fetches for unknown keys (default of
/// [`OidcSettings::min_refetch`]): a flood of tokens with made-up key ids must not become a
/// flood of requests to the provider.
pub const MIN_REFETCH: Duration = Duration::from_secs(10);
/// Cached keys older than this are refreshed in the background.
pub const MAX_AGE: Duration = Duration::from_secs(15 * 60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub audience: String,
    /// None: from the issuer's discovery document.
    pub jwks_url: Option<String>,
    /// Dotted path to the roles claim.
    pub roles_claim: String,
    pub min_refetch: Duration,
}

/// The caller a valid provider token names.
#[derive(Debug, Clone)]
pub struct OidcIdentity {
    pub subject: String,
    pub roles: Vec<Role>,
}

#[derive(Clone)]
struct Key {
    key: DecodingKey,
    algorithm: Algorithm,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Key>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    jwks_url: Option<String>,
}

pub struct OidcVerifier {
    settings: OidcSettings,
    cache: RwLock<Cache>,
    /// One fetch at a time; others wait for its outcome.
    fetching: tokio::sync::Mutex<()>,
}

impl OidcVerifier {
    pub fn new(settings: OidcSettings) -> Arc<Self> {
        let cache = Cache {
            jwks_url: settings.jwks_url.clone(),
            ..Cache::default()
        };
        Arc::new(Self {
            settings,
            cache: RwLock::new(cache),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    /// Fetches the keys once at start; a provider down at start is logged, not fatal (tokens
    /// are refused until it answers).
    pub async fn prefetch(self: &Arc<Self>) {
        if let Err(error) = self.refresh(true).await {
            tracing::warn!(%error, issuer = %self.settings.issuer, "cannot fetch the OIDC provider's keys yet");
        }
    }

    pub async fn verify(self: &Arc<Self>, token: &str) -> Result<OidcIdentity, ApiError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| unauthorized(format!("not a JWT: {e}")))?;
        let kid = header
            .kid
            .ok_or_else(|| unauthorized("the token names no signing key (kid)".to_owned()))?;
        let key = match self.cached(&kid) {
            Some(key) => key,
            None => {
                // A key we have not seen: the provider may have rotated.
                if let Err(error) = self.refresh(false).await {
                    tracing::warn!(%error, "fetching the OIDC provider's keys failed");
                }
                self.cached(&kid).ok_or_else(|| {
                    unauthorized(format!(
                        "the token is signed by key {kid:?}, which the identity provider does \
                         not publish (or could not be reached)"
                    ))
                })?
            }
        };
        if header.alg != key.algorithm {
            return Err(unauthorized(format!(
                "the token says {:?}, but key {kid:?} is an {:?} key",
                header.alg, key.algorithm
            )));
        }
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let claims = jsonwebtoken::decode::<Value>(token, &key.key, &validation)
            .map_err(|e| unauthorized(format!("invalid bearer token: {e}")))?
            .claims;
        self.refresh_if_old();
        let subject = claims["sub"]
            .as_str()
            .ok_or_else(|| unauthorized("the token's sub is not a string".to_owned()))?
            .to_owned();
        Ok(OidcIdentity {
            subject,
            roles: roles_at(&claims, &self.settings.roles_claim),
        })
    }

    fn cached(&self, kid: &str) -> Option<Key> {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        cache.keys.get(kid).cloned()
    }

    fn refresh_if_old(self: &Arc<Self>) {
        let old = {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            cache.fetched_at.is_some_and(|at| at.elapsed() > MAX_AGE)
                && cache
                    .last_attempt
                    .is_some_and(|at| at.elapsed() > self.settings.min_refetch)
        };
        if old {
            let this = Arc::clone(self);
            tokio::spawn(async move {
                if let Err(error) = this.refresh(false).await {
                    tracing::warn!(%error, "refreshing the OIDC provider's keys failed; keeping the cached ones");
                }
            });
        }
    }

    /// Fetches the JWKS (and, the first time without a URL, the discovery document) unless
    /// the last attempt was too recent; on failure the cached keys stay.
    async fn refresh(&self, force: bool) -> Result<(), String> {
        let _one = self.fetching.lock().await;
        let jwks_url = {
            let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
            let recent = cache
                .last_attempt
                .is_some_and(|at| at.elapsed() < self.settings.min_refetch);
            if !force && recent {
                return Ok(());
            }
            cache.last_attempt = Some(Instant::now());
            cache.jwks_url.clone()
        };
        let jwks_url = match jwks_url {
            Some(url) => url,
            None => {
                let url = discover(&self.settings.issuer).await?;
                let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
                cache.jwks_url = Some(url.clone());
                url
            }
        };
        let set: JwkSet = serde_json::from_value(get_json(&jwks_url).await?)
            .map_err(|e| format!("{jwks_url} is not a JWK set: {e}"))?;
        let keys = usable_keys(&set);
        tracing::info!(url = %jwks_url, keys = keys.len(), "fetched the OIDC provider's keys");
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        cache.keys = keys;
        cache.fetched_at = Some(Instant::now());
        Ok(())
    }
}

fn unauthorized(detail: String) -> ApiError {
    ApiError::Unauthorized(detail)
}

/// Signing keys with a key id and an algorithm we accept, by key id.
fn usable_keys(set: &JwkSet) -> HashMap<String, Key> {
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
            continue;
        }
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        let by_type = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => Some(Algorithm::ES256),
                EllipticCurve::P384 => Some(Algorithm::ES384),
                _ => None,
            },
            // Never a symmetric or unknown key from a JWKS.
            _ => None,
        };
        let Some(by_type) = by_type else { continue };
        let algorithm = match jwk.common.key_algorithm {
            None => by_type,
            Some(named) => match asymmetric(named) {
                Some(named) if family(named) == family(by_type) => named,
                _ => continue,
            },
        };
        if let Ok(key) = DecodingKey::from_jwk(jwk) {
            keys.insert(kid, Key { key, algorithm });
        }
    }
    keys
}

fn asymmetric(named: KeyAlgorithm) -> Option<Algorithm> {
    Some(match named {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        _ => return None,
    })
}

fn family(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::ES256 | Algorithm::ES384 => "ec",
        _ => "rsa",
    }
}

/// The roles at a dotted path: an array of strings, or one space-separated string.
fn roles_at(claims: &Value, path: &str) -> Vec<Role> {
    let mut at = claims;
    for part in path.split('.') {
        at = &at[part];
    }
    let names: Vec<&str> = match at {
        Value::Array(values) => values.iter().filter_map(Value::as_str).collect(),
        Value::String(text) => text.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let mut roles: Vec<Role> = names.into_iter().filter_map(Role::parse).collect();
    roles.dedup();
    roles
}

async fn discover(issuer: &str) -> Result<String, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let document = get_json(&url).await?;
    if document["issuer"].as_str().map(|i| i.trim_end_matches('/'))
        != Some(issuer.trim_end_matches('/'))
    {
        return Err(format!(
            "the discovery document at {url} names issuer {}, not {issuer}",
            document["issuer"]
        ));
    }
    document["jwks_uri"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("the discovery document at {url} has no jwks_uri"))
}

/// A blocking HTTP GET off the async threads.
async fn get_json(url: &str) -> Result<Value, String> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(FETCH_TIMEOUT))
            .build()
            .into();
        let mut response = agent
            .get(&url)
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        response
            .body_mut()
            .read_json::<Value>()
            .map_err(|e| format!("GET {url}: not JSON: {e}"))
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roles_come_from_a_dotted_path_and_unknown_names_are_ignored() {
        let claims = json!({"realm_access": {"roles": ["agent", "offline_access", "admin"]}, "scope": "reporter openid"});
        assert_eq!(
            roles_at(&claims, "realm_access.roles"),
            vec![Role::Agent, Role::Admin]
        );
        assert_eq!(roles_at(&claims, "scope"), vec![Role::Reporter]);
        assert!(roles_at(&claims, "resource_access.servicedesk.roles").is_empty());
    }

    #[test]
    fn symmetric_keys_in_a_jwks_are_never_used() {
        let set: JwkSet = serde_json::from_value(json!({"keys": [
            {"kty": "oct", "kid": "h", "alg": "HS256", "k": "c2VjcmV0"}
        ]}))
        .unwrap_or_else(|_| JwkSet { keys: vec![] });
        assert!(usable_keys(&set).is_empty());
    }
}
