use super::event::{self as ev, IntegrationEvent};
use super::state::{Integration, IntegrationDefaults, IntegrationId};
use crate::alarm::canonical::SourceKind;
use crate::alarm::rules::AlarmRules;
use crate::DomainError;

#[derive(Debug, Clone, PartialEq)]
pub enum IntegrationCommand {
    Register {
        id: IntegrationId,
        name: String,
        kind: SourceKind,
        key_sha256: String,
        key_hint: String,
        defaults: IntegrationDefaults,
        rules: AlarmRules,
    },
    Change {
        name: Option<String>,
        defaults: Option<IntegrationDefaults>,
        rules: Option<AlarmRules>,
    },
    RotateKey {
        key_sha256: String,
        key_hint: String,
    },
    Revoke {
        reason: Option<String>,
    },
}

pub fn decide(
    state: Option<&Integration>,
    command: &IntegrationCommand,
) -> Result<Vec<IntegrationEvent>, DomainError> {
    use IntegrationCommand as C;
    let integration = match (state, command) {
        (
            None,
            C::Register {
                id,
                name,
                kind,
                key_sha256,
                key_hint,
                defaults,
                rules,
            },
        ) => {
            rules.validate()?;
            return Ok(vec![IntegrationEvent::IntegrationRegistered(Box::new(
                ev::Registered {
                    id: *id,
                    name: name.clone(),
                    kind: *kind,
                    key_sha256: key_sha256.clone(),
                    key_hint: key_hint.clone(),
                    defaults: defaults.clone(),
                    rules: rules.clone(),
                },
            ))]);
        }
        (Some(_), C::Register { .. }) => return Err(DomainError::AlreadyExists),
        (None, _) => return Err(DomainError::NotFound),
        (Some(i), _) => i,
    };
    if integration.revoked {
        return Err(DomainError::Refused(format!(
            "integration {} is revoked; register a new one",
            integration.id
        )));
    }
    Ok(match command {
        C::Register { .. } => return Err(DomainError::AlreadyExists),
        C::Change {
            name,
            defaults,
            rules,
        } => {
            if let Some(rules) = rules {
                rules.validate()?;
            }
            let changed = ev::Changed {
                name: name.clone().filter(|n| *n != integration.name),
                defaults: defaults.clone().filter(|d| *d != integration.defaults),
                rules: rules.clone().filter(|r| *r != integration.rules),
            };
            if changed.name.is_none() && changed.defaults.is_none() && changed.rules.is_none() {
                vec![]
            } else {
                vec![IntegrationEvent::IntegrationChanged(Box::new(changed))]
            }
        }
        C::RotateKey {
            key_sha256,
            key_hint,
        } => vec![IntegrationEvent::IntegrationKeyRotated(ev::KeyRotated {
            key_sha256: key_sha256.clone(),
            key_hint: key_hint.clone(),
        })],
        C::Revoke { reason } => vec![IntegrationEvent::IntegrationRevoked(ev::Revoked {
            reason: reason.clone(),
        })],
    })
}
