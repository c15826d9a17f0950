//! Event tags: Zabbix' `[{"tag": .., "value": ..}]` (`{EVENT.TAGSJSON}`), a plain object, or
//! either as a JSON string (a media type parameter is always a string unless the script
//! parses it).

use crate::canonical::ParseError;
use crate::json::{self, Obj};
use serde_json::Value;
use std::collections::BTreeMap;

pub(super) fn parse(
    root: &Obj<'_>,
    names: &[&str],
) -> Result<BTreeMap<String, String>, ParseError> {
    let Some((name, value)) = names
        .iter()
        .find_map(|name| root.get(name).map(|value| (*name, value)))
    else {
        return Ok(BTreeMap::new());
    };
    let path = root.field_path(name);
    match value {
        Value::String(text) if text.trim().is_empty() => Ok(BTreeMap::new()),
        Value::String(text) => {
            let decoded: Value = serde_json::from_str(text).map_err(|_| {
                ParseError::new(
                    &path,
                    "expected tags as JSON ({EVENT.TAGSJSON}), an array or an object",
                )
            })?;
            from_value(&decoded, &path)
        }
        other => from_value(other, &path),
    }
}

fn from_value(value: &Value, path: &str) -> Result<BTreeMap<String, String>, ParseError> {
    match value {
        Value::Object(_) => Obj::new(value, path)?.as_string_map(),
        Value::Array(items) => {
            let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (index, item) in items.iter().enumerate() {
                let item = Obj::new(item, json::index_path(path, index))?;
                let tag = item.req_str("tag")?;
                let value = item.opt_str("value")?.unwrap_or_default();
                tags.entry(tag.to_owned())
                    .or_default()
                    .push(value.to_owned());
            }
            // Zabbix allows a tag several times (scope:availability, scope:performance).
            Ok(tags
                .into_iter()
                .map(|(tag, values)| (tag, values.join(",")))
                .collect())
        }
        other => Err(json::wrong_type(path, "an array or an object", other)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tags(json_text: &str) -> Result<BTreeMap<String, String>, ParseError> {
        let value: Value = serde_json::from_str(json_text).unwrap();
        parse(&Obj::new(&value, "").unwrap(), &["event_tags"])
    }

    #[test]
    fn shapes() {
        let expected: BTreeMap<String, String> = [
            ("scope".to_owned(), "availability,performance".to_owned()),
            ("service".to_owned(), "web".to_owned()),
        ]
        .into();
        let array = r#"{"event_tags":[{"tag":"scope","value":"availability"},{"tag":"service","value":"web"},{"tag":"scope","value":"performance"}]}"#;
        assert_eq!(tags(array).unwrap(), expected);
        let string = r#"{"event_tags":"[{\"tag\":\"scope\",\"value\":\"availability\"},{\"tag\":\"service\",\"value\":\"web\"},{\"tag\":\"scope\",\"value\":\"performance\"}]"}"#;
        assert_eq!(tags(string).unwrap(), expected);
        let object = r#"{"event_tags":{"scope":"availability,performance","service":"web"}}"#;
        assert_eq!(tags(object).unwrap(), expected);
        assert_eq!(tags(r#"{"event_tags":""}"#).unwrap(), BTreeMap::new());
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            tags(r#"{"event_tags":[{"value":"x"}]}"#).unwrap_err().field,
            "event_tags[0].tag"
        );
        assert_eq!(
            tags(r#"{"event_tags":"a:b, c:d"}"#).unwrap_err().field,
            "event_tags"
        );
    }
}
