//! Settings beyond the command line: a TOML file (`--config`, `SERVICEDESK_CONFIG`).
//! Every key is optional; unknown keys are an error so typos do not pass silently.

use crate::data_dir::DataDir;
use crate::failure::{fail, Failure, Result};
use serde::Deserialize;
use servicedesk_api::JwtKeys;
use servicedesk_domain::PriorityMatrix;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub http: HttpConfig,
    /// Rows are impact (high, medium, low); each row lists the priority for urgency high, medium, low.
    #[serde(default)]
    pub priority_matrix: PriorityMatrix,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    /// File holding the HS256 secret; `SERVICEDESK_JWT_SECRET` wins over it.
    pub secret_file: Option<PathBuf>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            issuer: "servicedesk".to_owned(),
            audience: "servicedesk-api".to_owned(),
            secret_file: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub max_body_bytes: usize,
    pub read_your_writes_timeout_ms: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1 << 20,
            read_your_writes_timeout_ms: 5_000,
        }
    }
}

const MIN_SECRET_BYTES: usize = 32;

impl Config {
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("cannot read config {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| Failure(format!("config {}: {e}", path.display())))
    }

    /// The signing secret: `SERVICEDESK_JWT_SECRET`, else the file named by
    /// `SERVICEDESK_JWT_SECRET_FILE` or `auth.secret_file`, else one generated in the data dir
    /// on first start.
    pub fn jwt_keys(&self, dir: &DataDir) -> Result<JwtKeys> {
        let from_env = std::env::var("SERVICEDESK_JWT_SECRET")
            .ok()
            .filter(|s| !s.is_empty());
        let file = std::env::var_os("SERVICEDESK_JWT_SECRET_FILE")
            .map(PathBuf::from)
            .or_else(|| self.auth.secret_file.clone());
        let secret = match (from_env, file) {
            (Some(secret), _) => secret.into_bytes(),
            (None, Some(file)) => std::fs::read_to_string(&file)
                .map_err(|e| Failure(format!("cannot read secret file {}: {e}", file.display())))?
                .trim()
                .as_bytes()
                .to_vec(),
            (None, None) => dir.jwt_secret()?,
        };
        if secret.len() < MIN_SECRET_BYTES {
            return fail(format!(
                "the JWT secret must be at least {MIN_SECRET_BYTES} bytes"
            ));
        }
        Ok(JwtKeys::new(
            &secret,
            &self.auth.issuer,
            &self.auth.audience,
        ))
    }
}
