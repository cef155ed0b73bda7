//! A cheap, partial schema check: "does this value certainly fail this schema?" Used to keep
//! `oneOf` values unambiguous (discriminator `const`s, `required`, `type`) without building a full
//! validator on the generation path. `false` means "might match".

use serde_json::Value;

use super::Generator;
use super::keywords::{TypeSet, get};

/// Nesting followed through `properties` and `allOf`.
const MAX_NEST: usize = 3;

/// Whether `value` certainly fails `schema`.
pub fn rejects(g: &Generator, value: &Value, schema: &Value, base: &Value) -> bool {
    rejects_at(g, value, schema, base, 0)
}

fn rejects_at(g: &Generator, value: &Value, schema: &Value, base: &Value, nest: usize) -> bool {
    if nest > MAX_NEST {
        return false;
    }
    let (s, b) = g.resolve_in(schema, base);
    let o = match s {
        Value::Object(o) => o,
        Value::Bool(accepts) => return !accepts,
        _ => return false,
    };
    if get(o, "const").is_some_and(|c| c != value) {
        return true;
    }
    if let Some(Value::Array(e)) = get(o, "enum")
        && !e.contains(value)
    {
        return true;
    }
    if let Some(t) = TypeSet::declared(o)
        && !t.contains(TypeSet::of(value))
    {
        return true;
    }
    if let Some(Value::Array(all)) = get(o, "allOf")
        && all.iter().any(|m| rejects_at(g, value, m, b, nest + 1))
    {
        return true;
    }
    if out_of_bounds(o, value) {
        return true;
    }
    let Value::Object(m) = value else {
        return false;
    };
    if let Some(Value::Array(req)) = get(o, "required")
        && req
            .iter()
            .filter_map(Value::as_str)
            .any(|k| !m.contains_key(k))
    {
        return true;
    }
    let props = get(o, "properties").and_then(Value::as_object);
    if let Some(props) = props
        && props
            .iter()
            .any(|(k, ps)| m.get(k).is_some_and(|v| rejects_at(g, v, ps, b, nest + 1)))
    {
        return true;
    }
    get(o, "additionalProperties") == Some(&Value::Bool(false))
        && get(o, "patternProperties").is_none()
        && m.keys().any(|k| props.is_none_or(|p| !p.contains_key(k)))
}

/// Numeric bounds and string lengths.
fn out_of_bounds(o: &serde_json::Map<String, Value>, value: &Value) -> bool {
    use super::keywords::{char_len, count, number};
    match value {
        Value::Number(n) => {
            let Some(v) = n.as_f64() else {
                return false;
            };
            number(o, "minimum").is_some_and(|m| v < m)
                || number(o, "maximum").is_some_and(|m| v > m)
                || number(o, "exclusiveMinimum").is_some_and(|m| v <= m)
                || number(o, "exclusiveMaximum").is_some_and(|m| v >= m)
        }
        Value::String(s) => {
            let len = char_len(s);
            count(o, "minLength").is_some_and(|m| len < m)
                || count(o, "maxLength").is_some_and(|m| len > m)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn discriminators_and_required_reject() {
        let g = Generator::new(json!({}));
        let cat = json!({"type": "object", "required": ["kind"],
                         "properties": {"kind": {"const": "cat"}}});
        assert!(rejects(&g, &json!({"kind": "dog"}), &cat, &cat));
        assert!(rejects(&g, &json!({}), &cat, &cat));
        assert!(rejects(&g, &json!(3), &cat, &cat));
        assert!(!rejects(&g, &json!({"kind": "cat", "x": 1}), &cat, &cat));
    }
}
