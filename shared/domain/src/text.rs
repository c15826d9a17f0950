//! Validated text values, parsed once at the edge so the rest of the code can trust them.

use crate::FieldError;

/// A required, trimmed, length-bounded single-line text (titles, names, codes).
pub fn required_line(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    bounded(field, trimmed, max_chars)?;
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must be a single line without control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// An optional single-line value; blank means "not set".
pub fn optional_line(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_line(field, v, max_chars).map(Some),
    }
}

/// Free text (descriptions, comments): may span lines, must fit the bound.
pub fn body(
    field: &str,
    value: &str,
    max_chars: usize,
    required: bool,
) -> Result<String, FieldError> {
    if required && value.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    bounded(field, value, max_chars)?;
    Ok(value.to_owned())
}

fn bounded(field: &str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    if value.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(())
}

pub const MAX_LINE: usize = 200;
pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 32_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_required_line_is_rejected() {
        assert_eq!(
            required_line("title", "   ", 10),
            Err(FieldError::new("title", "must not be empty"))
        );
    }

    #[test]
    fn lines_are_trimmed_and_bounded() {
        assert_eq!(
            required_line("t", "  disk full ", 20),
            Ok("disk full".to_owned())
        );
        assert!(required_line("t", "abcdef", 5).is_err());
        assert!(required_line("t", "a\nb", 5).is_err());
    }

    #[test]
    fn blank_optional_line_means_unset() {
        assert_eq!(optional_line("x", Some("  "), 5), Ok(None));
        assert_eq!(optional_line("x", None, 5), Ok(None));
    }
}
