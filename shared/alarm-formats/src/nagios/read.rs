//! Reading and validating the fields that decide what the notification is; unknown values
//! are refused naming the field as the sender wrote it.

use super::fields::Fields;
use super::per_object::PerObject;
use super::types::{CheckObject, CheckState, NotificationType, StateType};
use crate::canonical::{ParseError, SourceKind};
use crate::names::list;

pub(super) fn required<'f>(
    fields: &'f Fields,
    names: &[&str],
) -> Result<(&'f str, &'f str), ParseError> {
    fields
        .first(names)
        .ok_or_else(|| ParseError::new(names.first().copied().unwrap_or("body"), "is required"))
}

pub(super) fn source_kind(fields: &Fields) -> Result<SourceKind, ParseError> {
    match fields.first(&["SOURCE"]) {
        None if fields.icinga_prefixed => Ok(SourceKind::Icinga),
        None => Ok(SourceKind::Nagios),
        Some((sent, value)) => match value.trim().to_ascii_lowercase().as_str() {
            "nagios" => Ok(SourceKind::Nagios),
            "icinga" | "icinga2" => Ok(SourceKind::Icinga),
            _ => Err(ParseError::new(
                sent,
                format!("unknown source {value:?}; allowed: nagios, icinga, icinga2"),
            )),
        },
    }
}

pub(super) fn notification_type(fields: &Fields) -> Result<NotificationType, ParseError> {
    let (sent, value) = required(fields, &["NOTIFICATIONTYPE"])?;
    NotificationType::from_text(value).ok_or_else(|| {
        ParseError::new(
            sent,
            format!(
                "unknown notification type {value:?}; allowed: {}",
                list(NotificationType::NAMES)
            ),
        )
    })
}

/// Explicit `pd_nagios_object`, else a service when a service description is present.
pub(super) fn object(fields: &Fields) -> Result<CheckObject, ParseError> {
    match fields.first(&["OBJECT"]) {
        None if fields.first(&["SERVICEDESC"]).is_some() => Ok(CheckObject::Service),
        None => Ok(CheckObject::Host),
        Some((sent, value)) => match value.trim().to_ascii_lowercase().as_str() {
            "service" => Ok(CheckObject::Service),
            "host" => Ok(CheckObject::Host),
            _ => Err(ParseError::new(
                sent,
                format!("unknown object {value:?}; allowed: host, service"),
            )),
        },
    }
}

pub(super) fn state(
    fields: &Fields,
    object: CheckObject,
) -> Result<(CheckState, &str), ParseError> {
    let per_object = PerObject::new(object);
    let (sent, raw) = required(fields, &[per_object.state, "STATE"])?;
    let state = CheckState::for_object(object, raw).ok_or_else(|| {
        let kind = match object {
            CheckObject::Service => "service",
            CheckObject::Host => "host",
        };
        ParseError::new(
            sent,
            format!(
                "unknown {kind} state {raw:?}; allowed: {}",
                list(CheckState::allowed(object).iter().map(|s| s.as_str()))
            ),
        )
    })?;
    Ok((state, raw))
}

pub(super) fn state_type(
    fields: &Fields,
    object: CheckObject,
) -> Result<Option<StateType>, ParseError> {
    let Some((sent, raw)) = fields.first(&[PerObject::new(object).state_type, "STATETYPE"]) else {
        return Ok(None);
    };
    StateType::from_text(raw).map(Some).ok_or_else(|| {
        ParseError::new(
            sent,
            format!("unknown state type {raw:?}; allowed: HARD, SOFT (or 1, 0)"),
        )
    })
}
