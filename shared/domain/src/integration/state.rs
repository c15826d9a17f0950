use super::event::IntegrationEvent;
use crate::alarm::canonical::SourceKind;
use crate::alarm::rules::AlarmRules;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::stream_id!(IntegrationId, "integration-");

/// What incidents opened from this source's alarms start with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct IntegrationDefaults {
    pub customer: Option<String>,
    pub service: Option<String>,
    pub assignment_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Integration {
    pub id: IntegrationId,
    pub version: u64,
    pub name: String,
    pub kind: SourceKind,
    /// Hex SHA-256 of the key; the key is never stored.
    pub key_sha256: String,
    /// The key's first characters, so people can tell keys apart.
    pub key_hint: String,
    pub defaults: IntegrationDefaults,
    pub rules: AlarmRules,
    pub revoked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn evolve(
    state: Option<Integration>,
    event: &IntegrationEvent,
    at: DateTime<Utc>,
) -> Option<Integration> {
    use IntegrationEvent as E;
    if let E::IntegrationRegistered(r) = event {
        return Some(Integration {
            id: r.id,
            version: 0,
            name: r.name.clone(),
            kind: r.kind,
            key_sha256: r.key_sha256.clone(),
            key_hint: r.key_hint.clone(),
            defaults: r.defaults.clone(),
            rules: r.rules.clone(),
            revoked: false,
            created_at: at,
            updated_at: at,
        });
    }
    let mut i = state?;
    i.version += 1;
    i.updated_at = at;
    match event {
        E::IntegrationRegistered(_) => {}
        E::IntegrationChanged(c) => {
            if let Some(name) = &c.name {
                i.name = name.clone();
            }
            if let Some(defaults) = &c.defaults {
                i.defaults = defaults.clone();
            }
            if let Some(rules) = &c.rules {
                i.rules = rules.clone();
            }
        }
        E::IntegrationKeyRotated(k) => {
            i.key_sha256 = k.key_sha256.clone();
            i.key_hint = k.key_hint.clone();
        }
        E::IntegrationRevoked(_) => i.revoked = true,
    }
    Some(i)
}
