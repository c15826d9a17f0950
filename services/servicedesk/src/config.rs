//! Settings beyond the command line: a TOML file (`--config`, `SERVICEDESK_CONFIG`).
//! Every key is optional; unknown keys are an error so typos do not pass silently.

use crate::data_dir::DataDir;
use crate::failure::{fail, Failure, Result};
use serde::Deserialize;
use servicedesk_api::oidc::OidcSettings;
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
    /// An external identity provider; the `SERVICEDESK_OIDC_*` variables win over these.
    #[serde(default)]
    pub oidc: OidcConfig,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcConfig {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub jwks_url: Option<String>,
    pub roles_claim: Option<String>,
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

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure(format!("cannot read config {}: {e}", path.display())))?;
        toml::from_str(&text).map_err(|e| Failure(format!("config {}: {e}", path.display())))
    }

    /// How notifications are delivered: `SERVICEDESK_WEBHOOK_SECRET` signs webhook bodies;
    /// `SERVICEDESK_SMS_GATEWAY_URL` sends SMS as a POST of `SERVICEDESK_SMS_TEMPLATE`
    /// (default `{"to": "{to}", "text": "{text}"}`; a template without a leading `{` is sent
    /// as a form), with `SERVICEDESK_SMS_AUTHORIZATION` as its `Authorization` header;
    /// `SERVICEDESK_SMTP_URL` (`smtp://host:port`) sends e-mail from `SERVICEDESK_SMTP_FROM`,
    /// with links under `SERVICEDESK_PUBLIC_URL`; `SERVICEDESK_NOTIFY_RATE_PER_SECOND` limits
    /// each channel (a burst of as many at once).
    pub fn notifications(&self) -> Result<servicedesk_application::notifier::NotificationSettings> {
        let sms = env("SERVICEDESK_SMS_GATEWAY_URL").map(|url| {
            let template = env("SERVICEDESK_SMS_TEMPLATE")
                .unwrap_or_else(|| r#"{"to": "{to}", "text": "{text}"}"#.to_owned());
            servicedesk_application::notifier::SmsGateway {
                url,
                form: !template.trim_start().starts_with('{'),
                template,
                authorization: env("SERVICEDESK_SMS_AUTHORIZATION"),
            }
        });
        let smtp = match env("SERVICEDESK_SMTP_URL") {
            None => None,
            Some(url) => {
                let rest = url
                    .strip_prefix("smtp://")
                    .unwrap_or(&url)
                    .trim_end_matches('/');
                let (host, port) = match rest.rsplit_once(':') {
                    Some((host, port)) => match port.parse() {
                        Ok(port) => (host.to_owned(), port),
                        Err(_) => {
                            return fail(format!(
                                "SERVICEDESK_SMTP_URL must be smtp://host:port, not {url:?}"
                            ))
                        }
                    },
                    None => (rest.to_owned(), 25),
                };
                Some(servicedesk_application::notifier::SmtpRelay {
                    host,
                    port,
                    from: env("SERVICEDESK_SMTP_FROM").unwrap_or_else(|| {
                        "servicedesk <servicedesk@localhost.localdomain>".to_owned()
                    }),
                    link_base: env("SERVICEDESK_PUBLIC_URL").unwrap_or_default(),
                })
            }
        };
        let rate = match env("SERVICEDESK_NOTIFY_RATE_PER_SECOND") {
            None => None,
            Some(text) => match text.parse::<f64>() {
                Ok(per_second) if per_second > 0.0 => {
                    Some(servicedesk_application::notifier::RateLimit {
                        per_second,
                        burst: per_second.max(1.0),
                    })
                }
                _ => {
                    return fail(format!(
                        "SERVICEDESK_NOTIFY_RATE_PER_SECOND must be a positive number, not {text:?}"
                    ))
                }
            },
        };
        Ok(servicedesk_application::notifier::NotificationSettings {
            webhook_secret: env("SERVICEDESK_WEBHOOK_SECRET"),
            sms,
            smtp,
            retry: Default::default(),
            rate,
        })
    }

    /// The identity provider, if one is set (`SERVICEDESK_OIDC_ISSUER` or `oidc.issuer`). Its
    /// audience is required; the JWKS URL defaults to the one the discovery document names,
    /// the roles claim to `roles`.
    pub fn oidc(&self) -> Result<Option<OidcSettings>> {
        let Some(issuer) = env("SERVICEDESK_OIDC_ISSUER").or_else(|| self.oidc.issuer.clone())
        else {
            return Ok(None);
        };
        let Some(audience) =
            env("SERVICEDESK_OIDC_AUDIENCE").or_else(|| self.oidc.audience.clone())
        else {
            return fail(
                "SERVICEDESK_OIDC_ISSUER is set but SERVICEDESK_OIDC_AUDIENCE (oidc.audience) \
                 is not: tokens must be checked for this API's audience",
            );
        };
        let jwks_url = env("SERVICEDESK_OIDC_JWKS_URL").or_else(|| self.oidc.jwks_url.clone());
        for (setting, url) in [
            ("SERVICEDESK_OIDC_ISSUER", Some(&issuer)),
            ("SERVICEDESK_OIDC_JWKS_URL", jwks_url.as_ref()),
        ] {
            if let Some(url) = url {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return fail(format!("{setting} must be an http(s) URL, not {url:?}"));
                }
            }
        }
        Ok(Some(OidcSettings {
            issuer,
            audience,
            jwks_url,
            roles_claim: env("SERVICEDESK_OIDC_ROLES_CLAIM")
                .or_else(|| self.oidc.roles_claim.clone())
                .unwrap_or_else(|| "roles".to_owned()),
            min_refetch: match env("SERVICEDESK_OIDC_MIN_REFETCH_SECONDS") {
                None => servicedesk_api::oidc::MIN_REFETCH,
                Some(text) => std::time::Duration::from_secs_f64(
                    text.parse::<f64>().ok().filter(|s| *s >= 0.0 && s.is_finite()).ok_or_else(
                        || Failure(format!("SERVICEDESK_OIDC_MIN_REFETCH_SECONDS must be a number of seconds, not {text:?}")),
                    )?,
                ),
            },
        }))
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
