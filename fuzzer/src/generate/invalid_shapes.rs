//! *Invalid* arrays and objects: start from a valid value of the schema and break one structural
//! constraint (sizes, uniqueness, required and extra properties) or one element.

use rand::Rng;
use serde_json::{Map, Value};

use super::Generator;
use super::invalid::violate;
use super::keywords::{count, get};
use super::valid::Walker;

/// Which array constraint to break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayViolation {
    TooFew,
    TooMany,
    Duplicate,
    BadItem,
}

/// Which object constraint to break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectViolation {
    MissingRequired,
    Extra,
    BadProperty,
    TooFew,
    TooMany,
}

/// Attempts at finding an element or property that can be made invalid.
const ATTEMPTS: usize = 4;

fn item_schema(o: &Map<String, Value>, i: usize) -> &Value {
    get(o, "prefixItems")
        .and_then(Value::as_array)
        .and_then(|p| p.get(i))
        .or_else(|| get(o, "items"))
        .unwrap_or(&Value::Bool(true))
}

/// Breaks one array constraint of `o` in `items` (a valid array for it).
pub fn array<R: Rng + ?Sized>(
    g: &Generator,
    o: &Map<String, Value>,
    base: &Value,
    nest: usize,
    kind: ArrayViolation,
    mut items: Vec<Value>,
    rng: &mut R,
) -> Option<Vec<Value>> {
    let w = Walker::new(g, false);
    match kind {
        ArrayViolation::TooFew => {
            let min = count(o, "minItems")? as usize;
            let keep = if rng.random_bool(0.5) {
                0
            } else {
                rng.random_range(0..min)
            };
            items.truncate(keep);
        }
        ArrayViolation::TooMany => {
            let max = count(o, "maxItems")? as usize;
            while items.len() <= max {
                let s = item_schema(o, items.len());
                items.push(w.value(s, base, nest + 1, rng));
            }
        }
        ArrayViolation::Duplicate => {
            if items.is_empty() {
                items.push(w.value(item_schema(o, 0), base, nest + 1, rng));
            }
            let i = rng.random_range(..items.len());
            let dup = items[i].clone();
            items.insert(rng.random_range(0..=items.len()), dup);
        }
        ArrayViolation::BadItem => {
            for _ in 0..ATTEMPTS {
                let i = rng.random_range(0..=items.len());
                if let Some(bad) = violate(g, item_schema(o, i), base, nest + 1, rng) {
                    if i == items.len() {
                        items.push(bad);
                    } else {
                        items[i] = bad;
                    }
                    return Some(items);
                }
            }
            return None;
        }
    }
    Some(items)
}

/// Breaks one object constraint of `o` in `m` (a valid object for it).
pub fn object<R: Rng + ?Sized>(
    g: &Generator,
    o: &Map<String, Value>,
    base: &Value,
    nest: usize,
    kind: ObjectViolation,
    mut m: Map<String, Value>,
    rng: &mut R,
) -> Option<Map<String, Value>> {
    match kind {
        ObjectViolation::MissingRequired => drop_required(o, &mut m, rng)?,
        ObjectViolation::Extra => {
            let key = extra_key(o, &m, rng)?;
            m.insert(key, Value::from("shrike"));
        }
        ObjectViolation::BadProperty => {
            let (name, bad) = bad_property(g, o, base, nest, rng)?;
            m.insert(name, bad);
        }
        ObjectViolation::TooFew => {
            let min = count(o, "minProperties")? as usize;
            let keep = if rng.random_bool(0.5) {
                0
            } else {
                rng.random_range(0..min)
            };
            while m.len() > keep {
                let i = rng.random_range(..m.len());
                if let Some(k) = m.keys().nth(i).cloned() {
                    m.shift_remove(&k);
                }
            }
        }
        ObjectViolation::TooMany => {
            let max = count(o, "maxProperties")? as usize;
            let mut n = 0;
            while m.len() <= max {
                m.insert(format!("shrike_{n}"), Value::Null);
                n += 1;
            }
        }
    }
    Some(m)
}

/// Removes one required key (or, now and then, all of them).
fn drop_required<R: Rng + ?Sized>(
    o: &Map<String, Value>,
    m: &mut Map<String, Value>,
    rng: &mut R,
) -> Option<()> {
    let req: Vec<&str> = get(o, "required")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if req.is_empty() {
        return None;
    }
    if rng.random_bool(0.3) {
        for k in &req {
            m.shift_remove(*k);
        }
    } else {
        m.shift_remove(req[rng.random_range(..req.len())]);
    }
    Some(())
}

/// A declared property and a value its schema rejects.
fn bad_property<R: Rng + ?Sized>(
    g: &Generator,
    o: &Map<String, Value>,
    base: &Value,
    nest: usize,
    rng: &mut R,
) -> Option<(String, Value)> {
    let props = get(o, "properties")?.as_object()?;
    let names: Vec<&String> = props.keys().collect();
    for _ in 0..ATTEMPTS.min(names.len()) {
        let name = names[rng.random_range(..names.len())];
        if let Some(bad) = violate(g, &props[name.as_str()], base, nest + 1, rng) {
            return Some((name.clone(), bad));
        }
    }
    None
}

/// A key outside `properties` that no `patternProperties` pattern matches.
fn extra_key<R: Rng + ?Sized>(
    o: &Map<String, Value>,
    m: &Map<String, Value>,
    rng: &mut R,
) -> Option<String> {
    let declared = get(o, "properties").and_then(Value::as_object);
    let patterns: Vec<regex::Regex> = o
        .get("patternProperties")
        .and_then(Value::as_object)
        .map(|pp| {
            pp.keys()
                .filter_map(|p| regex::Regex::new(p).ok())
                .collect()
        })
        .unwrap_or_default();
    let names = [
        "shrike_extra",
        "isAdmin",
        "role",
        "__proto__",
        "_id",
        "zz-9",
        "Ω",
    ];
    for _ in 0..ATTEMPTS * 2 {
        let name = names[rng.random_range(..names.len())];
        let free = !m.contains_key(name)
            && declared.is_none_or(|d| !d.contains_key(name))
            && !patterns.iter().any(|re| re.is_match(name));
        if free {
            return Some(name.to_owned());
        }
    }
    None
}
