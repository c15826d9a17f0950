//! PagerDuty's documented size limits, shared by v2 and v1.

use crate::canonical::ParseError;

/// `payload.summary` (v1: `description`): "Maximum of 1024 characters".
pub(super) const MAX_SUMMARY_CHARS: usize = 1024;
/// `dedup_key` (v1: `incident_key`): "Maximum of 255 characters".
pub(super) const MAX_DEDUP_KEY_CHARS: usize = 255;

/// Refuses `value` when it is longer than `max` characters (Unicode scalar values, as
/// PagerDuty counts characters, not bytes).
pub(super) fn at_most(field: &str, value: &str, max: usize) -> Result<(), ParseError> {
    let length = value.chars().count();
    if length > max {
        Err(ParseError::new(
            field,
            format!("is {length} characters long; at most {max} are allowed"),
        ))
    } else {
        Ok(())
    }
}

/// The optional dedup key: absent or empty means none; too long is an error.
pub(super) fn dedup_key(field: &str, value: Option<&str>) -> Result<Option<String>, ParseError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(key) => {
            at_most(field, key, MAX_DEDUP_KEY_CHARS)?;
            Ok(Some(key.to_owned()))
        }
    }
}
