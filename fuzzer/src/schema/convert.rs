//! OpenAPI schema objects → JSON Schema 2020-12.
//!
//! Rules (the "dialect" is how the source document spells schemas):
//! - OpenAPI 3.0 / Swagger 2.0: `nullable: true` (and Swagger's `x-nullable`) adds `"null"` to
//!   `type` and `enum`; on a `$ref` or a composition (`allOf`/`oneOf`/...) it becomes
//!   `anyOf: [{type: null}, …]`. Siblings of `$ref` are ignored, as 3.0 says. `type: file` is a
//!   binary string. `nullable` is honoured in 3.1 documents too (a common left-over of 3.0
//!   conversions; it only widens what validates).
//! - OpenAPI 3.1: siblings of `$ref` apply alongside it.
//! - Boolean `exclusiveMinimum`/`exclusiveMaximum` (2.0/3.0) move the bound into the numeric 2020-12
//!   form; numeric ones (3.1) are kept. Both spellings are accepted in every dialect.
//! - `example` (and a 3.0-style `examples` map) becomes the 2020-12 `examples` array.
//! - `readOnly` properties are removed (with their `required` entries) in the request view,
//!   `writeOnly` ones in the response view.
//! - `discriminator` is kept as an annotation with its `mapping` rewritten to the converted refs.
//! - `format` is kept as an annotation; validators do not assert formats (see `validate`).
//! - Documentation-only keywords (`description`, `xml`, `externalDocs`, `x-…`) are dropped, and
//!   malformed keyword values are dropped with a warning so the result always compiles.
//!
//! `$ref`s are not followed here: a [`RefResolver`] supplied by the caller maps each one to its
//! replacement (the spec loader points them into the shared defs document), which keeps recursive
//! schemas finite.

use serde_json::{Map, Value, json};

use crate::spec::docs::push_segment;

/// How the source document spells schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// OpenAPI 3.0 and Swagger 2.0 schema objects.
    OpenApi30,
    /// OpenAPI 3.1 (JSON Schema 2020-12 with OpenAPI vocabulary).
    OpenApi31,
}

/// Which side of the exchange a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum View {
    /// What a client sends: `readOnly` properties removed.
    Request,
    /// What a server returns: `writeOnly` properties removed.
    Response,
}

/// Whether a property is `readOnly`, `writeOnly` or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Normal,
    ReadOnly,
    WriteOnly,
}

/// Maps `$ref`s met during conversion to their replacement and collects warnings.
pub trait RefResolver {
    /// The schema replacing `{"$ref": reference}`; `at` is the JSON pointer of the `$ref`.
    fn reference(&mut self, reference: &str, view: View, at: &str) -> Value;
    /// The replacement for a `discriminator.mapping` target: like [`RefResolver::reference`], but
    /// `None` (with a warning) instead of an error when it cannot be resolved, since the mapping
    /// is only an annotation.
    fn mapping_reference(&mut self, reference: &str, view: View, at: &str) -> Option<Value> {
        Some(self.reference(reference, view, at))
    }
    /// `readOnly`/`writeOnly` of the schema `reference` points to.
    fn access(&mut self, reference: &str) -> Access;
    /// Records that something at `at` was dropped or degraded.
    fn warn(&mut self, at: &str, message: String);
}

/// A resolver for self-contained schemas: references are kept as written, warnings collected.
#[derive(Debug, Default)]
pub struct KeepRefs {
    pub warnings: Vec<String>,
}

impl RefResolver for KeepRefs {
    fn reference(&mut self, reference: &str, _view: View, _at: &str) -> Value {
        json!({ "$ref": reference })
    }
    fn access(&mut self, _reference: &str) -> Access {
        Access::Normal
    }
    fn warn(&mut self, at: &str, message: String) {
        self.warnings.push(format!("{message} (at {at})"));
    }
}

/// Converts one schema; `at` is its JSON pointer, used in warnings.
pub fn convert(
    schema: &Value,
    dialect: Dialect,
    view: View,
    resolver: &mut dyn RefResolver,
    at: &str,
) -> Value {
    let mut converter = Converter {
        dialect,
        view,
        resolver,
        at: at.to_owned(),
    };
    converter.schema(schema)
}

/// Converts a self-contained schema (references kept as written); returns it and the warnings.
pub fn convert_standalone(schema: &Value, dialect: Dialect, view: View) -> (Value, Vec<String>) {
    let mut resolver = KeepRefs::default();
    let out = convert(schema, dialect, view, &mut resolver, "");
    (out, resolver.warnings)
}

const TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "array", "object", "null",
];
const SINGLE: [&str; 10] = [
    "additionalProperties",
    "not",
    "propertyNames",
    "contains",
    "if",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];
const LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
const COUNTS: [&str; 8] = [
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
];
const STRINGS: [&str; 4] = ["format", "title", "contentMediaType", "contentEncoding"];
const BOOLS: [&str; 4] = ["readOnly", "writeOnly", "deprecated", "uniqueItems"];

struct Converter<'r> {
    dialect: Dialect,
    view: View,
    resolver: &'r mut dyn RefResolver,
    /// JSON pointer of the value being converted.
    at: String,
}

fn is_true(value: Option<&Value>) -> bool {
    matches!(value, Some(Value::Bool(true)))
}

impl Converter<'_> {
    /// Runs `f` with `segment` appended to the current pointer.
    fn within<T>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let len = self.at.len();
        push_segment(&mut self.at, segment);
        let out = f(self);
        self.at.truncate(len);
        out
    }

    fn warn(&mut self, message: String) {
        let at = self.at.clone();
        self.resolver.warn(&at, message);
    }

    fn schema(&mut self, schema: &Value) -> Value {
        match schema {
            Value::Bool(_) => schema.clone(),
            Value::Object(map) => self.object(map),
            _ => {
                self.warn("a schema must be an object or a boolean; treated as `{}`".to_owned());
                Value::Bool(true)
            }
        }
    }

    fn object(&mut self, map: &Map<String, Value>) -> Value {
        let nullable = is_true(map.get("nullable")) || is_true(map.get("x-nullable"));
        if let Some(reference) = map.get("$ref") {
            let Some(reference) = reference.as_str() else {
                self.warn("`$ref` is not a string; treated as `{}`".to_owned());
                return Value::Bool(true);
            };
            let view = self.view;
            let mut out = self.within("$ref", |c| {
                let at = c.at.clone();
                c.resolver.reference(reference, view, &at)
            });
            if self.dialect == Dialect::OpenApi31 {
                let siblings = self.keywords(map);
                if !siblings.is_empty() {
                    out = merge_siblings(out, siblings);
                }
            }
            return if nullable { or_null(out) } else { out };
        }
        let out = self.keywords(map);
        if nullable {
            add_null(out)
        } else {
            Value::Object(out)
        }
    }

    /// Converts every keyword of `map` except `$ref` and `nullable`.
    fn keywords(&mut self, map: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        let mut examples = Vec::new();
        let mut removed = Vec::new();
        for (key, value) in map {
            let k = key.as_str();
            match k {
                "type" => self.type_keyword(value, map, &mut out),
                "properties" => {
                    let props = self.within(k, |c| c.properties(value, &mut removed));
                    out.insert(key.clone(), props);
                }
                "items" => self.within(k, |c| c.items(value, map, &mut out)),
                _ if SINGLE.contains(&k) => {
                    let s = self.within(k, |c| c.schema(value));
                    out.insert(key.clone(), s);
                }
                _ if LISTS.contains(&k) => self.within(k, |c| c.list(k, value, &mut out)),
                "pattern" => {
                    if let Some(p) = value.as_str().filter(|p| is_ecma_regex(p)) {
                        out.insert(key.clone(), Value::from(p));
                    } else {
                        self.within(k, |c| {
                            c.warn(
                                "`pattern` is not an ECMA-262 regular expression; dropped".into(),
                            )
                        });
                    }
                }
                "patternProperties" | "dependentSchemas" => {
                    if let Some(m) = self.within(k, |c| c.schema_map(k, value)) {
                        out.insert(key.clone(), m);
                    }
                }
                "dependencies" => self.within(k, |c| c.dependencies(value, &mut out)),
                "dependentRequired" if value.is_object() => {
                    out.insert(key.clone(), value.clone());
                }
                "enum" if value.is_array() => {
                    out.insert(key.clone(), value.clone());
                }
                "required" if value.is_array() => {
                    let names: Vec<Value> = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|v| v.is_string())
                        .cloned()
                        .collect();
                    out.insert(key.clone(), Value::Array(names));
                }
                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum"
                    if value.is_number() =>
                {
                    out.insert(key.clone(), value.clone());
                }
                "multipleOf" if value.as_f64().is_some_and(|f| f > 0.0) => {
                    out.insert(key.clone(), value.clone());
                }
                _ if COUNTS.contains(&k) => {
                    if let Some(n) = count(value) {
                        out.insert(key.clone(), Value::from(n));
                    } else {
                        self.within(k, |c| c.warn(format!("`{k}` is not a count; dropped")));
                    }
                }
                _ if STRINGS.contains(&k) && value.is_string() => {
                    out.insert(key.clone(), value.clone());
                }
                _ if BOOLS.contains(&k) && value.is_boolean() => {
                    out.insert(key.clone(), value.clone());
                }
                "const" | "default" => {
                    out.insert(key.clone(), value.clone());
                }
                "example" => examples.push(value.clone()),
                "examples" => match value {
                    Value::Array(items) => examples.extend(items.iter().cloned()),
                    Value::Object(named) => {
                        examples.extend(named.values().map(|e| e.get("value").unwrap_or(e).clone()))
                    }
                    other => examples.push(other.clone()),
                },
                "discriminator" => {
                    if let Some(d) = self.within(k, |c| c.discriminator(value)) {
                        out.insert(key.clone(), d);
                    }
                }
                _ => {}
            }
        }
        exclusive_bounds(map, &mut out);
        discriminated_union(&mut out);
        if !removed.is_empty()
            && let Some(Value::Array(required)) = out.get_mut("required")
        {
            required.retain(|r| !removed.iter().any(|name| r.as_str() == Some(name)));
        }
        if matches!(out.get("required"), Some(Value::Array(r)) if r.is_empty()) {
            out.remove("required");
        }
        if !examples.is_empty() {
            out.insert("examples".to_owned(), Value::Array(examples));
        }
        out
    }
}

/// Whether `pattern` is a regular expression the validator accepts (ECMA-262 dialect).
pub(crate) fn is_ecma_regex(pattern: &str) -> bool {
    jsonschema::draft202012::new(&json!({ "pattern": pattern })).is_ok()
}

/// `{"anyOf": [{"type": "null"}, schema]}`, or `schema` itself when it already accepts anything.
fn or_null(schema: Value) -> Value {
    if schema == Value::Bool(true) {
        return schema;
    }
    json!({ "anyOf": [{ "type": "null" }, schema] })
}

/// Makes a converted schema accept `null` (OpenAPI 3.0 `nullable: true`).
fn add_null(mut out: Map<String, Value>) -> Value {
    const COMPOSITE: [&str; 6] = ["allOf", "anyOf", "oneOf", "not", "$ref", "const"];
    if COMPOSITE.iter().any(|k| out.contains_key(*k)) {
        // Annotations stay on the outside, where generators look for them.
        let hoisted: Vec<(String, Value)> = ["examples", "default"]
            .iter()
            .filter_map(|k| out.remove(*k).map(|v| ((*k).to_owned(), v)))
            .collect();
        let mut wrapped = or_null(Value::Object(out));
        if let Value::Object(map) = &mut wrapped {
            map.extend(hoisted);
        }
        return wrapped;
    }
    match out.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            out.insert("type".to_owned(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push(Value::from("null"));
        }
        _ => {}
    }
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    Value::Object(out)
}

/// `oneOf` + `discriminator`: the discriminator, not exclusivity, picks the alternative, and real
/// specs often have alternatives that overlap (so strict `oneOf` would reject valid data). The
/// `oneOf` becomes `anyOf`, and each `mapping` entry naming one of the alternatives adds
/// `if {tag: const} then {that alternative}` so the tag still selects the schema.
fn discriminated_union(out: &mut Map<String, Value>) {
    let Some(Value::Object(discriminator)) = out.get("discriminator").cloned() else {
        return;
    };
    let Some(alternatives) = out.remove("oneOf") else {
        return;
    };
    let Some(tag) = discriminator.get("propertyName").and_then(Value::as_str) else {
        out.insert("oneOf".to_owned(), alternatives);
        return;
    };
    let mut rules = Vec::new();
    for (value, target) in discriminator
        .get("mapping")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let listed = alternatives
            .as_array()
            .is_some_and(|alts| alts.iter().any(|a| a.get("$ref") == Some(target)));
        if listed {
            rules.push(json!({
                "if": {"properties": {tag: {"const": value}}, "required": [tag]},
                "then": {"$ref": target},
            }));
        }
    }
    out.insert("anyOf".to_owned(), alternatives);
    if !rules.is_empty() {
        match out.get_mut("allOf") {
            Some(Value::Array(all)) => all.extend(rules),
            _ => {
                out.insert("allOf".to_owned(), Value::Array(rules));
            }
        }
    }
}

/// 2.0/3.0 boolean `exclusiveMinimum: true` + `minimum: m` → 2020-12 `exclusiveMinimum: m`.
fn exclusive_bounds(map: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if is_true(map.get(flag))
            && let Some(limit) = out.remove(bound)
        {
            out.insert(flag.to_owned(), limit);
        }
    }
}

/// A non-negative integer, also from an integral float (`minLength: 1.0`).
fn count(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| {
        value
            .as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15)
            .map(|f| f as u64)
    })
}

/// 3.1 `$ref` with sibling keywords: both apply.
fn merge_siblings(target: Value, mut siblings: Map<String, Value>) -> Value {
    match target {
        Value::Object(mut t) if t.len() == 1 && !siblings.contains_key("$ref") => {
            t.extend(siblings);
            Value::Object(t)
        }
        Value::Bool(true) => Value::Object(siblings),
        other => {
            match siblings.get_mut("allOf") {
                Some(Value::Array(all)) => all.push(other),
                _ => {
                    siblings.insert("allOf".to_owned(), Value::Array(vec![other]));
                }
            }
            Value::Object(siblings)
        }
    }
}

mod keywords;

#[cfg(test)]
mod tests;
