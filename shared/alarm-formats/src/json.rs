//! Reading JSON bodies field by field, so every error names the JSON path at fault.
//!
//! The sender formats are read through `serde_json::Value` rather than derived structs: the
//! lenient formats must ignore unknown fields and accept a few alternative spellings, and a
//! derived struct's error ("missing field `labels`") does not say *which* alert lacked it.

use crate::canonical::ParseError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Parses the whole body; a syntax error (truncated, not UTF-8, ...) is blamed on `body`.
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, ParseError> {
    serde_json::from_slice(body).map_err(|e| ParseError::new("body", format!("invalid JSON: {e}")))
}

/// `parent.key`, or just `key` at the top level.
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[index]`.
pub(crate) fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// A value as annotation text: strings as they are, anything else as compact JSON.
pub(crate) fn stringify(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn wrong_type(path: &str, expected: &str, found: &Value) -> ParseError {
    let field = if path.is_empty() { "body" } else { path };
    ParseError::new(
        field,
        format!("expected {expected}, found {}", type_name(found)),
    )
}

pub(crate) fn required(path: &str) -> ParseError {
    ParseError::new(path, "is required")
}

/// A JSON object together with its path, for error messages.
#[derive(Clone)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    /// `value` must be an object; `path` is where it sits ("" for the body itself).
    pub(crate) fn new(value: &'a Value, path: impl Into<String>) -> Result<Self, ParseError> {
        let path = path.into();
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(wrong_type(&path, "an object", other)),
        }
    }

    pub(crate) fn field_path(&self, key: &str) -> String {
        child_path(&self.path, key)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &'a String> {
        self.map.keys()
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.map.iter()
    }

    /// The value at `key`; JSON `null` counts as absent (senders write null for "not set").
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(&self.field_path(key), "a string", other)),
        }
    }

    /// A string that is present and not blank.
    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, ParseError> {
        match self.opt_str(key)? {
            None => Err(required(&self.field_path(key))),
            Some(s) if s.trim().is_empty() => {
                Err(ParseError::new(self.field_path(key), "must not be empty"))
            }
            Some(s) => Ok(s),
        }
    }

    /// Like [`Obj::opt_str`], but an empty or blank string also counts as absent.
    pub(crate) fn opt_non_empty(&self, key: &str) -> Result<Option<&'a str>, ParseError> {
        Ok(self.opt_str(key)?.filter(|s| !s.trim().is_empty()))
    }

    pub(crate) fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, ParseError> {
        self.get(key)
            .map(|v| Obj::new(v, self.field_path(key)))
            .transpose()
    }

    pub(crate) fn opt_array(&self, key: &str) -> Result<Option<&'a [Value]>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(wrong_type(&self.field_path(key), "an array", other)),
        }
    }

    /// An object of string values (labels, annotations); absent means empty.
    pub(crate) fn string_map(&self, key: &str) -> Result<BTreeMap<String, String>, ParseError> {
        match self.opt_obj(key)? {
            None => Ok(BTreeMap::new()),
            Some(obj) => obj.as_string_map(),
        }
    }

    /// This object as a map of string values; a non-string value is an error naming it.
    pub(crate) fn as_string_map(&self) -> Result<BTreeMap<String, String>, ParseError> {
        self.map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(wrong_type(&self.field_path(k), "a string", other)),
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_path() {
        let v: Value = serde_json::from_str(r#"{"a":{"b":1,"c":""}}"#).unwrap();
        let root = Obj::new(&v, "").unwrap();
        let a = root.opt_obj("a").unwrap().unwrap();
        assert_eq!(a.opt_str("b").unwrap_err().field, "a.b");
        assert_eq!(a.req_str("c").unwrap_err().field, "a.c");
        assert_eq!(a.req_str("d").unwrap_err().field, "a.d");
        assert_eq!(a.string_map("b").unwrap_err().field, "a.b");
    }

    #[test]
    fn non_object_body_is_blamed_on_body() {
        let v: Value = serde_json::from_str("[1]").unwrap();
        assert_eq!(Obj::new(&v, "").err().unwrap().field, "body");
    }
}
