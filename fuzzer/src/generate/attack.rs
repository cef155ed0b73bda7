//! *Attack* mode: a value shaped like a valid one for the schema, with payloads from the
//! [`Dictionary`](super::Dictionary) in one or a few of its leaves (strings get injection strings,
//! numbers extreme numbers, now and then any leaf gets an operator object such as `{"$ne": null}`
//! or a deeply nested value). A value without leaves is replaced by a payload whole.

use rand::Rng;
use serde_json::Value;

use super::invalid::allowed_types;
use super::keywords::TypeSet;
use super::valid::Walker;
use super::{Dictionary, Generator};

/// Most leaves visited when choosing where to put payloads.
const MAX_LEAVES: usize = 512;

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A valid-shaped value for `schema` carrying attack payloads.
pub fn value<R: Rng + ?Sized>(g: &Generator, schema: &Value, rng: &mut R) -> Value {
    let mut v = Walker::new(g, false).value(schema, schema, 0, rng);
    let leaves = leaves(&v);
    if leaves.is_empty() {
        if let Some(p) = g.dict.any(rng) {
            return Dictionary::take(p);
        }
        return v;
    }
    let n = if rng.random_bool(0.2) {
        rng.random_range(2..=3)
    } else {
        1
    };
    for _ in 0..n {
        let path = &leaves[rng.random_range(..leaves.len())];
        if let Some(slot) = at_mut(&mut v, path) {
            *slot = payload_for(g, slot, rng);
        }
    }
    v
}

/// One payload suited to a leaf schema's type.
pub fn leaf<R: Rng + ?Sized>(g: &Generator, schema: &Value, rng: &mut R) -> Value {
    let (s, b) = g.resolve_in(schema, schema);
    let types = match s {
        Value::Object(o) => allowed_types(g, o, b, 0),
        _ => TypeSet::ALL,
    };
    let sample = if types.contains(TypeSet::STRING) || types == TypeSet::ALL {
        Value::String(String::new())
    } else if types.intersects(TypeSet::NUMBER) {
        Value::from(0)
    } else {
        Value::Null
    };
    payload_for(g, &sample, rng)
}

/// A payload for a leaf currently holding `current`.
fn payload_for<R: Rng + ?Sized>(g: &Generator, current: &Value, rng: &mut R) -> Value {
    let d = &g.dict;
    let chosen = match current {
        Value::String(_) if rng.random_bool(0.85) => d.string(rng),
        Value::Number(_) if rng.random_bool(0.6) => d.number(rng),
        Value::Number(_) => d.string(rng),
        _ if rng.random_bool(0.5) => d.structured(rng),
        _ => d.any(rng),
    };
    chosen
        .or_else(|| d.any(rng))
        .map_or(Value::Null, Dictionary::take)
}

/// Paths to the scalar leaves (and empty containers) of `v`, in a fixed order, iteratively.
fn leaves(v: &Value) -> Vec<Vec<Seg>> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Value, Vec<Seg>)> = vec![(v, Vec::new())];
    while let Some((v, path)) = stack.pop() {
        if out.len() >= MAX_LEAVES {
            break;
        }
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, c) in m.iter().rev() {
                    let mut p = path.clone();
                    p.push(Seg::Key(k.clone()));
                    stack.push((c, p));
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, c) in a.iter().enumerate().rev() {
                    let mut p = path.clone();
                    p.push(Seg::Index(i));
                    stack.push((c, p));
                }
            }
            _ if path.is_empty() => {}
            _ => out.push(path),
        }
    }
    out
}

fn at_mut<'v>(v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match (cur, seg) {
            (Value::Object(m), Seg::Key(k)) => m.get_mut(k)?,
            (Value::Array(a), Seg::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    #[test]
    fn payloads_land_in_leaves() {
        let g = Generator::new(json!({}));
        let s = json!({"type": "object", "required": ["name", "qty"],
                       "properties": {"name": {"type": "string"}, "qty": {"type": "integer"}}});
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let dict: Vec<&Value> = g.dict.payloads().iter().map(|p| &p.value).collect();
        let mut hits = 0;
        for _ in 0..50 {
            let v = value(&g, &s, &mut rng);
            let obj = v.as_object().expect("still an object");
            if dict.contains(&&obj["name"]) || dict.contains(&&obj["qty"]) {
                hits += 1;
            }
        }
        assert!(hits >= 45, "only {hits} of 50 carried a payload");
    }

    #[test]
    fn leaf_payloads_follow_the_type() {
        let g = Generator::new(json!({}));
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let strings = (0..100)
            .filter(|_| leaf(&g, &json!({"type": "string"}), &mut rng).is_string())
            .count();
        assert!(strings >= 70, "{strings}");
        let numbers = (0..100)
            .filter(|_| leaf(&g, &json!({"type": "integer"}), &mut rng).is_number())
            .count();
        assert!((30..100).contains(&numbers), "{numbers}");
    }
}
