//! The keyword-specific halves of the converter: types, properties, items, lists of schemas,
//! Draft 4-style `dependencies` and `discriminator`.

use serde_json::{Map, Value, json};

use super::{Access, Converter, TYPES, View, is_ecma_regex, is_true};

impl Converter<'_> {
    /// `type`: keeps the JSON Schema types, maps `file` to a binary string, drops the rest.
    pub(super) fn type_keyword(
        &mut self,
        value: &Value,
        map: &Map<String, Value>,
        out: &mut Map<String, Value>,
    ) {
        let names: Vec<&str> = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let mut kept: Vec<Value> = Vec::new();
        for name in names {
            let mapped = if name == "file" { "string" } else { name };
            if name == "file" && !map.contains_key("format") {
                out.insert("format".to_owned(), Value::from("binary"));
            }
            if TYPES.contains(&mapped) {
                if !kept.iter().any(|k| k == mapped) {
                    kept.push(Value::from(mapped));
                }
            } else {
                self.within("type", |c| {
                    c.warn(format!(
                        "unknown type \"{name}\"; the type constraint is dropped"
                    ))
                });
            }
        }
        match kept.len() {
            0 => {}
            1 => {
                out.insert("type".to_owned(), kept.remove(0));
            }
            _ => {
                out.insert("type".to_owned(), Value::Array(kept));
            }
        }
    }

    /// `properties`, without the ones the current view hides; their names go to `removed`.
    pub(super) fn properties(&mut self, value: &Value, removed: &mut Vec<String>) -> Value {
        let Some(props) = value.as_object() else {
            self.warn("`properties` is not an object; dropped".to_owned());
            return json!({});
        };
        let mut out = Map::with_capacity(props.len());
        for (name, prop) in props {
            let hidden = matches!(
                (self.view, self.access_of(prop)),
                (View::Request, Access::ReadOnly) | (View::Response, Access::WriteOnly)
            );
            if hidden {
                removed.push(name.clone());
                continue;
            }
            let converted = self.within(name, |c| c.schema(prop));
            out.insert(name.clone(), converted);
        }
        Value::Object(out)
    }

    /// `readOnly`/`writeOnly` of a property schema, looking through one `$ref` (or a single-element
    /// `allOf` around one, a common way to annotate a reference in 3.0).
    fn access_of(&mut self, prop: &Value) -> Access {
        let Some(map) = prop.as_object() else {
            return Access::Normal;
        };
        if is_true(map.get("readOnly")) {
            return Access::ReadOnly;
        }
        if is_true(map.get("writeOnly")) {
            return Access::WriteOnly;
        }
        let reference = map.get("$ref").and_then(Value::as_str).or_else(|| {
            match map
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                Some([only]) => only.get("$ref").and_then(Value::as_str),
                _ => None,
            }
        });
        match reference {
            Some(r) => self.resolver.access(r),
            None => Access::Normal,
        }
    }

    /// `items`: a schema, or (Draft 4 tuple form) an array → `prefixItems` + `additionalItems`.
    pub(super) fn items(
        &mut self,
        value: &Value,
        map: &Map<String, Value>,
        out: &mut Map<String, Value>,
    ) {
        match value {
            Value::Array(tuple) => {
                let converted: Vec<Value> = tuple
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.within(&i.to_string(), |c| c.schema(s)))
                    .collect();
                if !converted.is_empty() {
                    out.insert("prefixItems".to_owned(), Value::Array(converted));
                }
                if let Some(additional) = map.get("additionalItems") {
                    let rest = self.within("additionalItems", |c| c.schema(additional));
                    out.insert("items".to_owned(), rest);
                }
            }
            other => {
                let converted = self.schema(other);
                out.insert("items".to_owned(), converted);
            }
        }
    }

    /// `allOf`/`anyOf`/`oneOf`/`prefixItems`: a non-empty array of schemas.
    pub(super) fn list(&mut self, keyword: &str, value: &Value, out: &mut Map<String, Value>) {
        match value {
            Value::Array(items) if !items.is_empty() => {
                let converted = items
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.within(&i.to_string(), |c| c.schema(s)))
                    .collect();
                out.insert(keyword.to_owned(), Value::Array(converted));
            }
            _ => self.warn(format!("`{keyword}` must be a non-empty array; dropped")),
        }
    }

    /// A map of name → schema (`patternProperties`, `dependentSchemas`); in `patternProperties`
    /// entries whose key is not a valid regular expression are dropped.
    pub(super) fn schema_map(&mut self, keyword: &str, value: &Value) -> Option<Value> {
        let Some(map) = value.as_object() else {
            self.warn("expected a map of schemas; dropped".to_owned());
            return None;
        };
        let mut converted = Map::with_capacity(map.len());
        for (key, schema) in map {
            if keyword == "patternProperties" && !is_ecma_regex(key) {
                self.warn(format!(
                    "`{key}` is not a valid regular expression; dropped"
                ));
                continue;
            }
            let s = self.within(key, |c| c.schema(schema));
            converted.insert(key.clone(), s);
        }
        Some(Value::Object(converted))
    }

    /// Draft 4 `dependencies` → `dependentRequired` (name lists) and `dependentSchemas`.
    pub(super) fn dependencies(&mut self, value: &Value, out: &mut Map<String, Value>) {
        let Some(map) = value.as_object() else {
            return;
        };
        let mut required = Map::new();
        let mut schemas = Map::new();
        for (name, dep) in map {
            if dep.is_array() {
                required.insert(name.clone(), dep.clone());
            } else {
                let converted = self.within(name, |c| c.schema(dep));
                schemas.insert(name.clone(), converted);
            }
        }
        if !required.is_empty() {
            out.insert("dependentRequired".to_owned(), Value::Object(required));
        }
        if !schemas.is_empty() {
            out.insert("dependentSchemas".to_owned(), Value::Object(schemas));
        }
    }

    /// `discriminator`: `{propertyName, mapping}` with mapping targets rewritten to converted refs;
    /// Swagger 2.0's plain string form becomes `{propertyName}`.
    pub(super) fn discriminator(&mut self, value: &Value) -> Option<Value> {
        let (property, mapping) = match value {
            Value::String(p) => (p.clone(), None),
            Value::Object(d) => (
                d.get("propertyName")?.as_str()?.to_owned(),
                d.get("mapping").and_then(Value::as_object),
            ),
            _ => return None,
        };
        let mut out = Map::new();
        out.insert("propertyName".to_owned(), Value::from(property));
        if let Some(mapping) = mapping {
            let mut rewritten = Map::new();
            for (tag, target) in mapping {
                let Some(target) = target.as_str() else {
                    continue;
                };
                let reference = if target.contains('#') || target.contains('/') {
                    target.to_owned()
                } else {
                    format!("#/components/schemas/{target}")
                };
                let view = self.view;
                let replaced = self.within("mapping", |c| {
                    let at = c.at.clone();
                    c.resolver.mapping_reference(&reference, view, &at)
                });
                if let Some(r) = replaced
                    .as_ref()
                    .and_then(|v| v.get("$ref"))
                    .and_then(Value::as_str)
                {
                    rewritten.insert(tag.clone(), Value::from(r));
                }
            }
            out.insert("mapping".to_owned(), Value::Object(rewritten));
        }
        Some(Value::Object(out))
    }
}
