//! Objects for *valid* and *boundary* mode: `properties` (optional ones sometimes, never past the
//! depth bound), `required`, `dependentRequired`, `minProperties`/`maxProperties`, and extra keys
//! through `additionalProperties` / `patternProperties` / `propertyNames` when they allow them.

use std::borrow::Cow;

use rand::Rng;
use serde_json::{Map, Value};

use super::keywords::{count, get};
use super::valid::{Walker, text};

/// Probability that an optional property is included in *valid* mode.
const OPTIONAL_P: f64 = 0.6;
/// Probability of adding free-form keys when `additionalProperties` is a schema.
const EXTRA_P: f64 = 0.25;
/// Upper bound on the keys added to reach `minProperties`.
const MAX_FILL: u64 = 256;

/// Builds an object for an object schema.
pub fn build<R: Rng + ?Sized>(
    w: &Walker<'_>,
    obj: &Map<String, Value>,
    base: &Value,
    depth: usize,
    rng: &mut R,
) -> Value {
    let empty = Map::new();
    let props = match get(obj, "properties") {
        Some(Value::Object(p)) => p,
        _ => &empty,
    };
    let required: &[Value] = match get(obj, "required") {
        Some(Value::Array(r)) => r,
        _ => &[],
    };
    let max_p = count(obj, "maxProperties").unwrap_or(u64::MAX);
    let min_p = count(obj, "minProperties").unwrap_or(0).min(MAX_FILL);
    let deep = depth >= w.g.max_depth;
    // Boundary mode: all optional properties or none, decided once per object.
    let all_optional = w.edges && rng.random_bool(0.5);
    let mut out = Map::new();
    for (name, s) in props {
        let req = required.iter().any(|r| r.as_str() == Some(name.as_str()));
        let include = req
            || (!deep
                && (out.len() as u64) + (required.len() as u64) < max_p
                && if w.edges {
                    all_optional
                } else {
                    rng.random_bool(OPTIONAL_P)
                });
        if include {
            let s = with_patterns(w, obj, name, s);
            out.insert(name.clone(), w.value(&s, base, depth + 1, rng));
        }
    }
    for name in required.iter().filter_map(Value::as_str) {
        if !out.contains_key(name) {
            let s = schema_for_extra(w, obj, name);
            out.insert(name.to_owned(), w.value(s, base, depth + 1, rng));
        }
    }
    dependent_required(w, obj, props, base, depth, &mut out, rng);
    // Reach minProperties with unused declared properties first, then extra keys.
    for (name, s) in props {
        if out.len() as u64 >= min_p {
            break;
        }
        if !out.contains_key(name) {
            let s = with_patterns(w, obj, name, s);
            out.insert(name.clone(), w.value(&s, base, depth + 1, rng));
        }
    }
    let want_extra = !deep
        && !w.edges
        && matches!(get(obj, "additionalProperties"), Some(Value::Object(_)))
        && rng.random_bool(EXTRA_P);
    let target = if want_extra {
        (out.len() as u64 + rng.random_range(1..=2)).max(min_p)
    } else {
        min_p
    };
    add_extra(w, obj, base, depth, target.min(max_p), &mut out, rng);
    Value::Object(out)
}

/// A declared property's schema, joined with the `patternProperties` entries its name matches
/// (the value must satisfy all of them).
fn with_patterns<'a>(
    w: &Walker<'_>,
    obj: &Map<String, Value>,
    name: &str,
    s: &'a Value,
) -> Cow<'a, Value> {
    let Some(Value::Object(pp)) = get(obj, "patternProperties") else {
        return Cow::Borrowed(s);
    };
    let mut all = vec![s.clone()];
    for (p, ps) in pp {
        if w.g
            .patterns
            .get(p)
            .is_some_and(|c| c.certainly_matches(name))
        {
            all.push(ps.clone());
        }
    }
    if all.len() == 1 {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(Value::Object(Map::from_iter([(
            "allOf".to_owned(),
            Value::Array(all),
        )])))
    }
}

/// Adds the properties `dependentRequired` (and the `required` of `dependentSchemas`) demand of
/// the ones present.
fn dependent_required<R: Rng + ?Sized>(
    w: &Walker<'_>,
    obj: &Map<String, Value>,
    props: &Map<String, Value>,
    base: &Value,
    depth: usize,
    out: &mut Map<String, Value>,
    rng: &mut R,
) {
    let required = get(obj, "dependentRequired").and_then(Value::as_object);
    let schemas = get(obj, "dependentSchemas").and_then(Value::as_object);
    let from_schemas = schemas
        .into_iter()
        .flatten()
        .filter_map(|(k, s)| Some((k, s.as_object().and_then(|o| get(o, "required"))?)));
    let deps: Vec<(&String, &Value)> = required.into_iter().flatten().chain(from_schemas).collect();
    for (key, needs) in deps {
        if !out.contains_key(key) {
            continue;
        }
        for n in needs
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !out.contains_key(n) {
                let s = props.get(n).unwrap_or_else(|| schema_for_extra(w, obj, n));
                out.insert(n.to_owned(), w.value(s, base, depth + 1, rng));
            }
        }
    }
}

/// Adds keys not in `properties` until the object has `target` entries, when the schema allows
/// extra keys at all.
fn add_extra<R: Rng + ?Sized>(
    w: &Walker<'_>,
    obj: &Map<String, Value>,
    base: &Value,
    depth: usize,
    target: u64,
    out: &mut Map<String, Value>,
    rng: &mut R,
) {
    let patterns: Vec<(&String, &Value)> = match get(obj, "patternProperties") {
        Some(Value::Object(pp)) => pp.iter().collect(),
        _ => Vec::new(),
    };
    let closed = get(obj, "additionalProperties") == Some(&Value::Bool(false));
    let mut attempts = 0;
    while (out.len() as u64) < target && attempts < MAX_FILL * 2 {
        attempts += 1;
        // A key from a patternProperties pattern, or a free one.
        let (key, schema) = if !patterns.is_empty() && (closed || rng.random_bool(0.5)) {
            let (p, s) = patterns[rng.random_range(..patterns.len())];
            match w.g.patterns.get(p).and_then(|c| c.generate(1, 64, rng)) {
                Some(k) => (k, s),
                None => continue,
            }
        } else if closed {
            w.g.count_fallback();
            return;
        } else {
            let key = match get(obj, "propertyNames") {
                Some(Value::Object(pn)) => w.string(pn, rng),
                _ => format!("{}_{}", text(rng.random_range(3..8), rng), out.len()),
            };
            let s = obj
                .get("additionalProperties")
                .unwrap_or(&Value::Bool(true));
            (key, s)
        };
        if out.contains_key(&key) || get(obj, "properties").and_then(|p| p.get(&key)).is_some() {
            continue;
        }
        let v = w.value(schema, base, depth + 1, rng);
        out.insert(key, v);
    }
}

/// The schema a key outside `properties` must satisfy: a matching `patternProperties` entry, else
/// `additionalProperties`, else anything.
fn schema_for_extra<'a>(w: &Walker<'_>, obj: &'a Map<String, Value>, name: &str) -> &'a Value {
    if let Some(Value::Object(pp)) = get(obj, "patternProperties") {
        for (p, s) in pp {
            if w.g
                .patterns
                .get(p)
                .is_some_and(|c| c.certainly_matches(name))
            {
                return s;
            }
        }
    }
    match get(obj, "additionalProperties") {
        Some(s @ Value::Object(_)) => s,
        _ => &Value::Bool(true),
    }
}
