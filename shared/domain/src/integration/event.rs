use super::state::{IntegrationDefaults, IntegrationId};
use crate::alarm::canonical::SourceKind;
use crate::alarm::rules::AlarmRules;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum IntegrationEvent {
    IntegrationRegistered(Box<Registered>),
    IntegrationChanged(Box<Changed>),
    IntegrationKeyRotated(KeyRotated),
    IntegrationRevoked(Revoked),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registered {
    pub id: IntegrationId,
    pub name: String,
    pub kind: SourceKind,
    pub key_sha256: String,
    pub key_hint: String,
    #[serde(default)]
    pub defaults: IntegrationDefaults,
    #[serde(default)]
    pub rules: AlarmRules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<IntegrationDefaults>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<AlarmRules>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRotated {
    pub key_sha256: String,
    pub key_hint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    #[serde(default)]
    pub reason: Option<String>,
}

crate::event_codec!(IntegrationEvent {
    IntegrationRegistered,
    IntegrationChanged,
    IntegrationKeyRotated,
    IntegrationRevoked,
});

impl IntegrationEvent {
    pub const SCHEMA_VERSION: u32 = 1;
}
