//! Reading one file of a spec: JSON or YAML text into a `serde_json::Value`.
//!
//! YAML allows things JSON does not; they are normalised here so the rest of Shrike sees plain
//! JSON: non-string mapping keys (`200:` becomes `"200"`), merge keys (`<<: *base`), tags (dropped)
//! and non-finite floats (become `null`).

use std::path::Path;

use serde_json::{Map, Number, Value};
use serde_yaml::Value as Yaml;

use super::error::SpecError;

/// Reads and parses `path`. JSON is tried when the text starts with `{` or `[`, YAML otherwise.
pub(crate) fn read_document(path: &Path) -> Result<Value, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        file: path.to_path_buf(),
        source,
    })?;
    parse_document(path, &text)
}

/// Parses spec text; `path` only names the file in errors.
pub(crate) fn parse_document(path: &Path, text: &str) -> Result<Value, SpecError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => return Ok(value),
            // Flow-style YAML also starts with `{`; only report JSON errors if YAML fails too.
            Err(json_err) => {
                return parse_yaml(path, text).map_err(|_| SpecError::Syntax {
                    file: path.to_path_buf(),
                    format: "JSON",
                    message: json_err.to_string(),
                    line: json_err.line(),
                    column: json_err.column(),
                    pointer: String::new(),
                });
            }
        }
    }
    parse_yaml(path, text)
}

fn parse_yaml(path: &Path, text: &str) -> Result<Value, SpecError> {
    let syntax = |err: serde_yaml::Error| {
        let (line, column) = err
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        SpecError::Syntax {
            file: path.to_path_buf(),
            format: "YAML",
            message: err.to_string(),
            line,
            column,
            pointer: String::new(),
        }
    };
    let mut yaml: Yaml = serde_yaml::from_str(text).map_err(syntax)?;
    yaml.apply_merge().map_err(syntax)?;
    Ok(yaml_to_json(yaml))
}

/// Converts a YAML value to JSON, stringifying non-string keys.
fn yaml_to_json(yaml: Yaml) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => yaml_number(&n),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, value) in map {
                out.insert(yaml_key(key), yaml_to_json(value));
            }
            Value::Object(out)
        }
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_number(n: &serde_yaml::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        Value::Number(u.into())
    } else {
        n.as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }
}

fn yaml_key(key: Yaml) -> String {
    match key {
        Yaml::String(s) => s,
        Yaml::Null => "null".to_owned(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Tagged(tagged) => yaml_key(tagged.value),
        other => serde_json::to_string(&yaml_to_json(other)).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Value, SpecError> {
        parse_document(Path::new("t.yaml"), text)
    }

    #[test]
    fn yaml_numeric_keys_become_strings() {
        let v = parse("responses:\n  200:\n    description: ok\n  true: 1\n").unwrap();
        assert_eq!(
            v,
            json!({"responses": {"200": {"description": "ok"}, "true": 1}})
        );
    }

    #[test]
    fn yaml_merge_keys_are_applied() {
        let v = parse("base: &b\n  a: 1\nderived:\n  <<: *b\n  c: 2\n").unwrap();
        assert_eq!(v["derived"], json!({"a": 1, "c": 2}));
    }

    #[test]
    fn json_is_parsed_as_json() {
        assert_eq!(parse("{\"a\": [1, 2.5]}").unwrap(), json!({"a": [1, 2.5]}));
    }

    #[test]
    fn invalid_yaml_reports_line_and_column() {
        let err = parse("a: 1\nb: [1, 2\n").unwrap_err();
        match &err {
            SpecError::Syntax { format, line, .. } => {
                assert_eq!(*format, "YAML");
                assert!(*line >= 2, "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("t.yaml"));
    }

    #[test]
    fn invalid_json_reports_json_error() {
        let err = parse("{\"a\": \"unterminated}").unwrap_err();
        assert!(
            matches!(err, SpecError::Syntax { format: "JSON", .. }),
            "{err}"
        );
    }
}
