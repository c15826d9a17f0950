use crate::error::{describe, ApiError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicedesk_alarm_formats::SourceKind;
use servicedesk_domain::alarm::rules::AlarmRules;
use servicedesk_domain::integration::{Integration, IntegrationDefaults, IntegrationId};
use servicedesk_domain::text::{optional_line, required_line, MAX_LINE};
use servicedesk_domain::FieldError;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterIntegrationRequest {
    pub name: String,
    pub kind: SourceKind,
    #[serde(default)]
    pub defaults: IntegrationDefaults,
    /// Omitted fields take their defaults.
    #[serde(default)]
    pub rules: AlarmRules,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeIntegrationRequest {
    pub name: Option<String>,
    pub defaults: Option<IntegrationDefaults>,
    pub rules: Option<AlarmRules>,
}

/// An integration as admins see it: never its key, only the key's first characters.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    pub id: IntegrationId,
    pub version: u64,
    pub name: String,
    pub kind: SourceKind,
    pub key_hint: String,
    pub defaults: IntegrationDefaults,
    pub rules: AlarmRules,
    pub revoked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Integration> for IntegrationView {
    fn from(i: Integration) -> Self {
        Self {
            id: i.id,
            version: i.version,
            name: i.name,
            kind: i.kind,
            key_hint: i.key_hint,
            defaults: i.defaults,
            rules: i.rules,
            revoked: i.revoked,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// Answered once, when a key is made: store the key now, it cannot be shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationWithKey {
    pub integration: IntegrationView,
    /// Send as `Authorization: Bearer <key>`, or as `routing_key` in PagerDuty events.
    pub key: String,
}

pub fn valid_name(name: &str) -> Result<String, ApiError> {
    required_line("name", name, MAX_LINE).map_err(one)
}

pub fn valid_defaults(d: IntegrationDefaults) -> Result<IntegrationDefaults, ApiError> {
    let mut errors = Vec::new();
    let mut line = |field: &str, v: Option<String>| {
        optional_line(&format!("defaults.{field}"), v.as_deref(), MAX_LINE)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    let checked = IntegrationDefaults {
        customer: line("customer", d.customer),
        service: line("service", d.service),
        assignment_group: line("assignment_group", d.assignment_group),
    };
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(ApiError::Invalid {
            detail: describe(&errors),
            errors,
        })
    }
}

fn one(e: FieldError) -> ApiError {
    ApiError::Invalid {
        detail: format!("{}: {}", e.field, e.message),
        errors: vec![e],
    }
}
