//! JSON helpers of the lifecycle oracle: value comparison, schema properties through `$ref`s,
//! list items.

use serde_json::Value;

use crate::spec::Model;

/// Values equal as JSON; strings also when equal ignoring case and surrounding space, numbers
/// when equal as floats.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The schema of property `name` of an object schema (through `$ref`s and `allOf`/`oneOf`/
/// `anyOf` branches).
pub fn find_property<'a>(
    model: &'a Model,
    schema: &'a Value,
    name: &str,
    depth: usize,
) -> Option<&'a Value> {
    if depth > 8 {
        return None;
    }
    let schema = resolve(model, schema);
    if let Some(p) = schema.get("properties").and_then(|p| p.get(name)) {
        return Some(resolve(model, p));
    }
    ["allOf", "oneOf", "anyOf"].iter().find_map(|k| {
        schema.get(*k).and_then(Value::as_array).and_then(|bs| {
            bs.iter()
                .find_map(|b| find_property(model, b, name, depth + 1))
        })
    })
}

fn resolve<'a>(model: &'a Model, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..8 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(key) = reference.rsplit('/').next() else {
            break;
        };
        match model.defs.get("$defs").and_then(|d| d.get(key)) {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

pub fn declares(model: &Model, schema: &Value, field: &str) -> bool {
    find_property(model, schema, field, 0).is_some()
}

/// The items of a list body: a top-level array, or the first array member of an object.
pub fn items(body: &Value) -> Vec<Value> {
    match body {
        Value::Array(items) => items.clone(),
        Value::Object(members) => members
            .values()
            .find_map(|v| v.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// True when `item` repeats a distinctive string the rejected body sent (3+ characters).
pub fn carries(item: &Value, sent: &Value) -> bool {
    let Some(sent) = sent.as_object() else {
        return false;
    };
    sent.iter().any(|(k, v)| {
        matches!(v, Value::String(s) if s.chars().count() >= 3)
            && item.get(k).is_some_and(|i| i == v)
    })
}
