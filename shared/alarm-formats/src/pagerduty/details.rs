//! Free-form `custom_details` (v1: `details`) as annotations.

use crate::json;
use serde_json::Value;
use std::collections::BTreeMap;

/// An object becomes one annotation per key, non-string values as compact JSON (`0.75`,
/// `{"a":1}`); any other JSON value becomes a single `details` annotation.
pub(super) fn annotations(details: Option<&Value>) -> BTreeMap<String, String> {
    match details {
        None => BTreeMap::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), json::stringify(v)))
            .collect(),
        Some(other) => [("details".to_owned(), json::stringify(other))].into(),
    }
}
