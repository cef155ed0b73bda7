//! Undeclared response fields: members of a JSON response object that its documented schema does
//! not list, where the schema lists its properties and does not declare itself open.
//!
//! Conservative: an object schema is *closed by listing* only when it (and every object branch of
//! its `allOf`/`anyOf`/`oneOf`) lists `properties` and none has `additionalProperties` (any value:
//! `true` or a schema declares the object open, `false` makes extra members a schema violation
//! that the schema check already reports), `patternProperties`, `unevaluatedProperties`,
//! conditionals or a discriminator. Arrays are followed through `items`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::spec::DEFS_URI;

/// How deep schemas and bodies are followed.
const MAX_DEPTH: usize = 32;
/// Keywords that make an object's member set open or conditional.
const OPENING: [&str; 7] = [
    "additionalProperties",
    "patternProperties",
    "unevaluatedProperties",
    "if",
    "dependentSchemas",
    "discriminator",
    "propertyNames",
];

/// The properties an object schema lists, or `None` when its member set is open.
#[derive(Debug, Default)]
struct Listed<'a> {
    properties: BTreeMap<&'a str, Vec<&'a Value>>,
    listed: bool,
    open: bool,
}

/// Follows a `$ref` into the model's defs (`urn:shrike:defs#/$defs/Name`).
fn resolve<'a>(defs: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let reference = schema.get("$ref")?.as_str()?;
    let pointer = reference.strip_prefix(DEFS_URI)?.strip_prefix('#')?;
    defs.pointer(pointer)
}

fn admits_object(schema: &Value) -> bool {
    match schema.get("type") {
        None => true,
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        Some(_) => false,
    }
}

fn collect<'a>(defs: &'a Value, schema: &'a Value, depth: usize, into: &mut Listed<'a>) {
    if depth > MAX_DEPTH {
        into.open = true;
        return;
    }
    if let Some(target) = resolve(defs, schema) {
        collect(defs, target, depth + 1, into);
    } else if schema.get("$ref").is_some() {
        into.open = true;
    }
    if !schema.is_object() || !admits_object(schema) {
        // `true`, `false` or a non-object type: contributes no members.
        if schema == &Value::Bool(true) {
            into.open = true;
        }
        return;
    }
    if OPENING.iter().any(|k| schema.get(k).is_some()) {
        into.open = true;
    }
    let mut constrains = schema.get("$ref").is_some();
    if let Some(Value::Object(props)) = schema.get("properties") {
        into.listed = true;
        constrains = true;
        for (name, sub) in props {
            into.properties.entry(name.as_str()).or_default().push(sub);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            constrains = true;
            for branch in branches {
                collect(defs, branch, depth + 1, into);
            }
        }
    }
    if !constrains {
        // `{}` or `{"type": "object"}`: anything goes.
        into.open = true;
    }
}

/// The element schemas of an array schema (through refs and composition).
fn items<'a>(defs: &'a Value, schema: &'a Value, depth: usize, out: &mut Vec<&'a Value>) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(target) = resolve(defs, schema) {
        items(defs, target, depth + 1, out);
    }
    if let Some(item) = schema.get("items").filter(|i| i.is_object()) {
        out.push(item);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            for branch in branches {
                items(defs, branch, depth + 1, out);
            }
        }
    }
}

/// What the schema says about a body's objects.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Members the schema does not declare (pointers, `*` for array elements).
    pub undeclared: BTreeSet<String>,
    /// Objects whose members the schema leaves open (free-form data: keys are data, not fields).
    pub free_form: BTreeSet<String>,
}

impl Shape {
    /// True when `pointer` lies inside a free-form object (or is one).
    pub fn in_free_form(&self, pointer: &str) -> bool {
        self.free_form.iter().any(|open| {
            pointer == open
                || (pointer.starts_with(open.as_str()) && pointer[open.len()..].starts_with('/'))
        })
    }
}

fn walk(defs: &Value, schema: &Value, body: &Value, pointer: &str, depth: usize, out: &mut Shape) {
    if depth > MAX_DEPTH {
        return;
    }
    match body {
        Value::Object(members) => {
            let mut listed = Listed::default();
            collect(defs, schema, 0, &mut listed);
            if !listed.listed || listed.open {
                out.free_form.insert(pointer.to_owned());
            }
            for (name, value) in members {
                let here = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
                match listed.properties.get(name.as_str()) {
                    Some(subs) => {
                        for sub in subs {
                            walk(defs, sub, value, &here, depth + 1, out);
                        }
                    }
                    None if listed.listed && !listed.open => {
                        out.undeclared.insert(here);
                    }
                    None => {}
                }
            }
        }
        Value::Array(elements) => {
            let mut subs = Vec::new();
            items(defs, schema, 0, &mut subs);
            let here = format!("{pointer}/*");
            for element in elements {
                for sub in &subs {
                    walk(defs, sub, element, &here, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// The undeclared members and free-form objects of `body` under `schema`.
pub fn inspect(defs: &Value, schema: &Value, body: &Value) -> Shape {
    let mut out = Shape::default();
    walk(defs, schema, body, "", 0, &mut out);
    out
}

/// The members of `body` that `schema` does not declare, as JSON pointers with `*` for array
/// elements (`/items/*/password_hash`), sorted.
pub fn undeclared(defs: &Value, schema: &Value, body: &Value) -> Vec<String> {
    inspect(defs, schema, body).undeclared.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn defs() -> Value {
        json!({"$id": DEFS_URI, "$defs": {
            "User": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "Open": {"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": true},
        }})
    }

    fn user_ref() -> Value {
        json!({"$ref": format!("{DEFS_URI}#/$defs/User")})
    }

    #[test]
    fn members_a_listing_schema_lacks_are_found_through_refs_and_arrays() {
        let schema = json!({"type": "object", "properties": {
            "items": {"type": "array", "items": user_ref()}, "total": {"type": "integer"}}});
        let body = json!({"items": [{"id": 1, "name": "a", "password_hash": "x"}, {"id": 2}],
                          "total": 2, "debug": true});
        assert_eq!(
            undeclared(&defs(), &schema, &body),
            vec!["/debug".to_owned(), "/items/*/password_hash".to_owned()]
        );
        // Nullable and allOf compositions.
        let nullable = json!({"anyOf": [user_ref(), {"type": "null"}]});
        assert_eq!(
            undeclared(&defs(), &nullable, &json!({"id": 1, "x": 1})),
            vec!["/x".to_owned()]
        );
        let all_of = json!({"allOf": [user_ref(), {"properties": {"x": {}}}]});
        assert!(undeclared(&defs(), &all_of, &json!({"id": 1, "x": 1})).is_empty());
    }

    #[test]
    fn free_form_objects_are_marked() {
        let schema = json!({"type": "object", "properties": {
            "meta": {"type": "object", "additionalProperties": true}, "id": {"type": "integer"}}});
        let shape = inspect(
            &defs(),
            &schema,
            &json!({"id": 1, "meta": {"a": {"password": "x"}}}),
        );
        assert!(shape.undeclared.is_empty());
        assert!(shape.in_free_form("/meta/a/password"));
        assert!(shape.in_free_form("/meta"));
        assert!(!shape.in_free_form("/metadata"));
        assert!(!shape.in_free_form("/id"));
        assert!(inspect(&defs(), &json!({}), &json!({"a": 1})).in_free_form("/a"));
    }

    #[test]
    fn open_or_unlisted_schemas_declare_nothing_missing() {
        let open = json!({"$ref": format!("{DEFS_URI}#/$defs/Open")});
        assert!(undeclared(&defs(), &open, &json!({"id": 1, "extra": 2})).is_empty());
        for schema in [
            json!({}),
            json!({"type": "object"}),
            json!({"type": "object", "properties": {"a": {}}, "additionalProperties": false}),
            json!({"type": "object", "properties": {"a": {}}, "patternProperties": {"^x": {}}}),
            json!({"oneOf": [user_ref(), {"type": "object"}]}),
            json!({"$ref": "urn:elsewhere#/x"}),
        ] {
            assert!(
                undeclared(&defs(), &schema, &json!({"a": 1, "b": 2})).is_empty(),
                "{schema}"
            );
        }
    }
}
