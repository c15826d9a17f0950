//! Lists of allowed names in error messages.

/// "a, b, c" for error messages that list the allowed values.
pub(crate) fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}
