//! Reading media-type fields: alternative names, string-or-number values, and refusing
//! macros Zabbix left unexpanded.

use crate::canonical::ParseError;
use crate::json::{self, Obj};
use serde_json::Value;

pub(super) struct Reader<'a> {
    obj: Obj<'a>,
}

/// A field's value and the name it was found under (for error messages).
pub(super) struct Found<'n> {
    pub(super) name: &'n str,
    pub(super) text: String,
}

impl<'a> Reader<'a> {
    pub(super) fn new(obj: Obj<'a>) -> Self {
        Reader { obj }
    }

    pub(super) fn obj(&self) -> &Obj<'a> {
        &self.obj
    }

    pub(super) fn has_any(&self, names: &[&str]) -> bool {
        names.iter().any(|name| self.obj.has(name))
    }

    /// The first of `names` present with a non-blank value. Strings and numbers are text;
    /// other JSON types are an error, as is an unexpanded macro.
    pub(super) fn text<'n>(&self, names: &[&'n str]) -> Result<Option<Found<'n>>, ParseError> {
        for &name in names {
            let text = match self.obj.get(name) {
                None => continue,
                Some(Value::String(s)) => s.trim().to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                Some(other) => {
                    return Err(json::wrong_type(
                        &self.obj.field_path(name),
                        "a string or number",
                        other,
                    ))
                }
            };
            if text.is_empty() {
                continue;
            }
            if is_unexpanded_macro(&text) {
                return Err(ParseError::new(
                    self.obj.field_path(name),
                    format!(
                        "holds the unexpanded Zabbix macro {text}; check the media type parameters"
                    ),
                ));
            }
            return Ok(Some(Found { name, text }));
        }
        Ok(None)
    }

    /// Like [`Reader::text`], but absent is an error naming the first name.
    pub(super) fn required<'n>(&self, names: &[&'n str]) -> Result<Found<'n>, ParseError> {
        self.text(names)?.ok_or_else(|| {
            let (first, others) = names
                .split_first()
                .map_or(("body", &[][..]), |(f, o)| (*f, o));
            let message = if others.is_empty() {
                "is required".to_owned()
            } else {
                format!("is required (or {})", others.join(", "))
            };
            ParseError::new(self.obj.field_path(first), message)
        })
    }

    pub(super) fn value(&self, names: &[&str]) -> Result<Option<String>, ParseError> {
        Ok(self.text(names)?.map(|found| found.text))
    }
}

/// `{EVENT.ID}`, `{$ZABBIX.URL}`, `{$HTTP.TLS.VERIFY:"Opsgenie"}`: a whole value that is
/// still a macro. (`{}` or `{"a":1}` are not macros.)
fn is_unexpanded_macro(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    let name = inner.split(':').next().unwrap_or_default();
    let starts_right = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '$' || c == '#');
    starts_right
        && name.chars().all(|c| {
            c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '$' | '#')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros() {
        assert!(is_unexpanded_macro("{EVENT.ID}"));
        assert!(is_unexpanded_macro("{$ZABBIX.URL}"));
        assert!(is_unexpanded_macro("{$HTTP.TLS.VERIFY:\"Opsgenie\"}"));
        assert!(!is_unexpanded_macro("{}"));
        assert!(!is_unexpanded_macro("{\"a\":1}"));
        assert!(!is_unexpanded_macro("70"));
    }
}
