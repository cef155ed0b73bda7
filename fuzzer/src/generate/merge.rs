//! Flattening `allOf` (and `$ref` with sibling keywords) into one schema object, so the generators
//! can satisfy every member at once. The merge is an approximation of the conjunction: bounds
//! tighten, `required` and `properties` unite, `type` and `enum` intersect; other keywords keep the
//! first value seen.

use serde_json::{Map, Value};

use super::Generator;
use super::keywords::{TypeSet, get};

/// Largest number of schemas merged for one `allOf` tree (guards against pathological nesting).
const MAX_MEMBERS: usize = 64;

/// Merges `schema` (an object with `allOf` and/or `$ref` beside other keywords) into one object
/// with neither. Returns the merged schema and the document its local refs resolve against.
pub fn flatten<'a>(g: &'a Generator, schema: &'a Value, base: &'a Value) -> (Value, &'a Value) {
    let mut out = Map::new();
    let mut budget = MAX_MEMBERS;
    let mut out_base = base;
    absorb(g, &mut out, schema, base, &mut out_base, &mut budget);
    (Value::Object(out), out_base)
}

fn absorb<'a>(
    g: &'a Generator,
    out: &mut Map<String, Value>,
    schema: &'a Value,
    base: &'a Value,
    out_base: &mut &'a Value,
    budget: &mut usize,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let (schema, base) = match schema {
        Value::Object(o) if get(o, "$ref").is_some() => {
            // Take the siblings first, then what the ref names.
            let (target, tbase) = g.resolve_in(schema, base);
            for (k, v) in o {
                if k != "$ref" && k != "allOf" {
                    merge_key(out, k, v);
                }
            }
            if let Some(Value::Array(members)) = get(o, "allOf") {
                for m in members {
                    absorb(g, out, m, base, out_base, budget);
                }
            }
            *out_base = tbase;
            (target, tbase)
        }
        _ => (schema, base),
    };
    match schema {
        Value::Object(o) => {
            for (k, v) in o {
                if k != "allOf" && k != "$ref" {
                    merge_key(out, k, v);
                }
            }
            if let Some(Value::Array(members)) = get(o, "allOf") {
                for m in members {
                    absorb(g, out, m, base, out_base, budget);
                }
            }
        }
        Value::Bool(false) => {
            out.insert("not".into(), Value::Bool(true));
        }
        _ => {}
    }
}

fn merge_key(out: &mut Map<String, Value>, key: &str, v: &Value) {
    let Some(cur) = out.get_mut(key) else {
        out.insert(key.to_owned(), v.clone());
        return;
    };
    match key {
        "properties" | "patternProperties" => {
            if let (Value::Object(cur), Value::Object(new)) = (cur, v) {
                for (name, s) in new {
                    match cur.get_mut(name) {
                        Some(existing) => {
                            let both = Value::Array(vec![existing.take(), s.clone()]);
                            *existing = Value::Object(Map::from_iter([("allOf".into(), both)]));
                        }
                        None => {
                            cur.insert(name.clone(), s.clone());
                        }
                    }
                }
            }
        }
        "required" => {
            if let (Value::Array(cur), Value::Array(new)) = (cur, v) {
                for n in new {
                    if !cur.contains(n) {
                        cur.push(n.clone());
                    }
                }
            }
        }
        "type" => {
            let a = types_of(cur);
            let b = types_of(v);
            *cur = a.intersect(b).to_keyword();
        }
        "enum" => {
            if let (Value::Array(cur), Value::Array(new)) = (cur, v) {
                cur.retain(|x| new.contains(x));
            }
        }
        "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties" => {
            if let (Some(a), Some(b)) = (cur.as_f64(), v.as_f64())
                && b > a
            {
                *cur = v.clone();
            }
        }
        "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties" => {
            if let (Some(a), Some(b)) = (cur.as_f64(), v.as_f64())
                && b < a
            {
                *cur = v.clone();
            }
        }
        "additionalProperties" if *v == Value::Bool(false) => *cur = v.clone(),
        "uniqueItems" if *v == Value::Bool(true) => *cur = v.clone(),
        _ => {}
    }
}

fn types_of(v: &Value) -> TypeSet {
    let mut m = Map::new();
    m.insert("type".into(), v.clone());
    TypeSet::declared(&m).unwrap_or(TypeSet::ALL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_of_members_and_refs_merge() {
        let defs = json!({"$id": "urn:shrike:defs", "$defs": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
        }});
        let g = Generator::new(defs);
        let s = json!({"allOf": [
            {"$ref": "urn:shrike:defs#/$defs/Base"},
            {"properties": {"name": {"type": "string"}}, "required": ["name"], "minProperties": 1},
            {"minProperties": 2, "type": ["object", "null"]}
        ]});
        let (m, _) = flatten(&g, &s, &s);
        assert_eq!(m["type"], json!("object"));
        assert_eq!(m["required"], json!(["id", "name"]));
        assert_eq!(m["minProperties"], json!(2));
        assert!(m["properties"].get("id").is_some() && m["properties"].get("name").is_some());
        assert!(m.get("allOf").is_none());
    }
}
