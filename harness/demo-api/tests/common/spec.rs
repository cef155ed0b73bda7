//! Reading the demo API's OpenAPI document in tests: `$ref` resolution, operations, and the
//! JSON Schema of each documented response.

#![allow(dead_code)]

use serde_json::Value;

pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "options", "head", "trace",
];

/// The document, as served and as shipped.
pub fn document() -> Value {
    shrike_demo_api::spec::document().expect("the spec parses")
}

/// Follows a local `$ref` (`#/a/b`), if `value` is one.
pub fn deref<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        let pointer = reference.strip_prefix('#').expect("local $ref");
        current = document.pointer(pointer).expect("$ref resolves");
    }
    panic!("$ref chain too long at {value}");
}

/// Replaces every `$ref` inside `value` by its target, recursively (the spec has no cycles).
pub fn inline(document: &Value, value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            if map.contains_key("$ref") {
                return inline(document, deref(document, value));
            }
            Value::Object(
                map.iter()
                    .map(|(key, child)| (key.clone(), inline(document, child)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| inline(document, v)).collect()),
        other => other.clone(),
    }
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub template: String,
    pub id: String,
    pub value: Value,
    pub path_item: Value,
}

/// All operations, in document order.
pub fn operations(document: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (template, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                operations.push(Operation {
                    method: method.to_owned(),
                    template: template.clone(),
                    id: operation["operationId"].as_str().unwrap_or("").to_owned(),
                    value: operation.clone(),
                    path_item: item.clone(),
                });
            }
        }
    }
    operations
}

/// Whether a concrete path (no query) matches a template like `/products/{productId}`.
pub fn matches(template: &str, path: &str) -> bool {
    let left: Vec<&str> = template.split('/').collect();
    let right: Vec<&str> = path.split('/').collect();
    left.len() == right.len()
        && left
            .iter()
            .zip(&right)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// The operation serving `method path`, preferring literal segments over parameters.
pub fn find<'a>(operations: &'a [Operation], method: &str, path: &str) -> Option<&'a Operation> {
    let path = path.split('?').next().unwrap_or(path);
    operations
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method) && matches(&op.template, path))
        .min_by_key(|op| op.template.matches('{').count())
}
