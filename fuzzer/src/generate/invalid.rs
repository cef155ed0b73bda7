//! *Invalid* mode: values the schema rejects. Every keyword of a schema is a conjunct, so breaking
//! any one of them (in the schema itself, in a property, an item, an `allOf` member or the target
//! of a `$ref`) breaks the whole. The violations are chosen from those the schema makes certain:
//! type confusion (against every `anyOf`/`oneOf` branch), values outside `enum`/`const`, lengths,
//! bounds and sizes just or far past their limits (empty and huge), `multipleOf` misses, pattern
//! and format mismatches, missing required and extra properties, duplicates in unique arrays, and
//! values that satisfy a `not`. A schema that accepts everything (`{}`, `true`) has no invalid
//! value: [`value`] returns a type-confused `[{}]` for it.

use rand::Rng;
use serde_json::{Map, Value};

use super::Generator;
use super::formats;
use super::invalid_shapes::{self as shapes, ArrayViolation, ObjectViolation};
use super::keywords::{self, TypeSet, count, float_value, get, int_value, integer_bounds};
use super::merge;
use super::numbers::{decimal_parts, decimal_value, float_bounds};
use super::valid::{Walker, text};

/// Nesting followed when looking for a violation inside properties and items.
const MAX_NEST: usize = 24;
/// Longest "huge" string or array produced.
const HUGE: u64 = 1 << 16;

/// A value `schema` rejects (see the module docs for the `{}` case).
pub fn value<R: Rng + ?Sized>(g: &Generator, schema: &Value, rng: &mut R) -> Value {
    violate(g, schema, schema, 0, rng).unwrap_or_else(|| {
        g.count_fallback();
        Value::Array(vec![Value::Object(Map::new())])
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Violation {
    Type(TypeSet),
    NotEnum,
    TooShort,
    TooLong,
    Pattern,
    Format,
    BelowMin,
    AboveMax,
    NotMultiple,
    Array(ArrayViolation),
    Object(ObjectViolation),
    Not,
}

/// A value violating `schema`, or `None` when none is certain.
pub fn violate<R: Rng + ?Sized>(
    g: &Generator,
    schema: &Value,
    base: &Value,
    nest: usize,
    rng: &mut R,
) -> Option<Value> {
    if nest > MAX_NEST {
        return None;
    }
    let (s, b) = g.resolve_in(schema, base);
    let o = match s {
        Value::Object(o) => o,
        Value::Bool(false) => return Some(Value::Null),
        _ => return None,
    };
    if get(o, "allOf").is_some() || get(o, "$ref").is_some() {
        let (merged, mb) = merge::flatten(g, s, b);
        return violate(g, &merged, mb, nest + 1, rng);
    }
    let mut options = candidates(g, o, b, nest);
    while !options.is_empty() {
        let v = options.swap_remove(rng.random_range(..options.len()));
        if let Some(out) = apply(g, o, b, nest, v, rng) {
            return Some(out);
        }
    }
    None
}

/// The violations certain for this (resolved, flattened) schema.
fn candidates(g: &Generator, o: &Map<String, Value>, base: &Value, nest: usize) -> Vec<Violation> {
    use ArrayViolation as A;
    use ObjectViolation as O;
    use Violation::*;
    let confused = allowed_types(g, o, base, nest).complement();
    let declared = TypeSet::declared(o).unwrap_or(TypeSet::ALL);
    let has = |k: &str| get(o, k).is_some();
    let positive = |k: &str| count(o, k).is_some_and(|m| m > 0);
    let number = |k: &str| keywords::number(o, k).is_some();
    let non_empty = |k: &str| match get(o, k) {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        _ => false,
    };
    let pattern_ok = get(o, "pattern")
        .and_then(Value::as_str)
        .is_some_and(|p| g.patterns.get(p).is_some());
    let format_ok = get(o, "format")
        .and_then(Value::as_str)
        .is_some_and(keywords::format_is_checked);
    let (s, n, a, ob, any) = (
        TypeSet::STRING,
        TypeSet::NUMBER,
        TypeSet::ARRAY,
        TypeSet::OBJECT,
        TypeSet::ALL,
    );
    // (the instance type the keyword applies to, the violation, whether the schema has it)
    let table = [
        (any, Type(confused), !confused.is_empty()),
        (any, NotEnum, has("const") || has("enum")),
        (s, TooShort, positive("minLength")),
        (s, TooLong, has("maxLength")),
        (s, Pattern, pattern_ok),
        (s, Format, format_ok),
        (n, BelowMin, number("minimum") || number("exclusiveMinimum")),
        (n, AboveMax, number("maximum") || number("exclusiveMaximum")),
        (
            n,
            NotMultiple,
            keywords::number(o, "multipleOf").is_some_and(|m| m > 0.0),
        ),
        (a, Array(A::TooFew), positive("minItems")),
        (
            a,
            Array(A::TooMany),
            count(o, "maxItems").is_some_and(|m| m < HUGE),
        ),
        (
            a,
            Array(A::Duplicate),
            get(o, "uniqueItems") == Some(&Value::Bool(true)),
        ),
        (a, Array(A::BadItem), has("items") || has("prefixItems")),
        (ob, Object(O::MissingRequired), non_empty("required")),
        (
            ob,
            Object(O::Extra),
            get(o, "additionalProperties") == Some(&Value::Bool(false)),
        ),
        (ob, Object(O::BadProperty), non_empty("properties")),
        (ob, Object(O::TooFew), positive("minProperties")),
        (
            ob,
            Object(O::TooMany),
            count(o, "maxProperties").is_some_and(|m| m < 256),
        ),
        (any, Not, has("not")),
    ];
    table
        .into_iter()
        .filter(|(t, _, present)| *present && declared.intersects(*t))
        .map(|(_, v, _)| v)
        .collect()
}

/// The types a schema can accept: `type`, narrowed by `const`/`enum` and by the union of
/// `anyOf`/`oneOf` branches.
pub fn allowed_types(g: &Generator, o: &Map<String, Value>, base: &Value, nest: usize) -> TypeSet {
    let mut t = TypeSet::declared(o).unwrap_or(TypeSet::ALL);
    if let Some(c) = get(o, "const") {
        t = t.intersect(TypeSet::of(c).union(widen(c)));
    }
    if let Some(Value::Array(e)) = get(o, "enum") {
        let set = e.iter().fold(TypeSet::EMPTY, |acc, v| {
            acc.union(TypeSet::of(v)).union(widen(v))
        });
        t = t.intersect(set);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = get(o, key) {
            let mut union = TypeSet::EMPTY;
            for br in branches {
                let (bs, bb) = g.resolve_in(br, base);
                union = union.union(match bs {
                    Value::Object(bo) if nest < MAX_NEST => {
                        if get(bo, "allOf").is_some() || get(bo, "$ref").is_some() {
                            let (m, mb) = merge::flatten(g, bs, bb);
                            m.as_object()
                                .map_or(TypeSet::ALL, |mo| allowed_types(g, mo, mb, nest + 1))
                        } else {
                            allowed_types(g, bo, bb, nest + 1)
                        }
                    }
                    Value::Bool(false) => TypeSet::EMPTY,
                    _ => TypeSet::ALL,
                });
            }
            t = t.intersect(union);
        }
    }
    t
}

/// An integral float like `2.0` is an integer to JSON Schema; a fraction never is.
fn widen(v: &Value) -> TypeSet {
    if TypeSet::of(v) == TypeSet::INTEGER {
        TypeSet::INTEGER
    } else {
        TypeSet::EMPTY
    }
}

fn apply<R: Rng + ?Sized>(
    g: &Generator,
    o: &Map<String, Value>,
    base: &Value,
    nest: usize,
    v: Violation,
    rng: &mut R,
) -> Option<Value> {
    use Violation::*;
    let w = Walker::new(g, false);
    let valid = |rng: &mut R| w.value(&Value::Object(o.clone()), base, nest + 1, rng);
    match v {
        Type(types) => Some(of_type(pick(types, rng), rng)),
        NotEnum => not_in_enum(o),
        TooShort | TooLong => Some(Value::String(wrong_length(o, v == TooShort, rng))),
        Pattern => {
            let p = get(o, "pattern").and_then(Value::as_str)?;
            g.patterns.get(p)?.non_matching(rng).map(Value::String)
        }
        Format => {
            let f = get(o, "format").and_then(Value::as_str)?;
            formats::malformed(f, rng).map(Value::String)
        }
        BelowMin | AboveMax => out_of_range(o, v == BelowMin, rng),
        NotMultiple => not_multiple(o, rng),
        Array(kind) => {
            let items = match valid(rng) {
                Value::Array(a) => a,
                _ => Vec::new(),
            };
            shapes::array(g, o, base, nest, kind, items, rng).map(Value::Array)
        }
        Object(kind) => {
            let m = match valid(rng) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            shapes::object(g, o, base, nest, kind, m, rng).map(Value::Object)
        }
        Not => Some(w.value(get(o, "not")?, base, nest + 1, rng)),
    }
}

/// A string shorter than `minLength` (often empty) or longer than `maxLength` (sometimes huge).
fn wrong_length<R: Rng + ?Sized>(o: &Map<String, Value>, short: bool, rng: &mut R) -> String {
    let len = if short {
        let min = count(o, "minLength").unwrap_or(1).max(1);
        if rng.random_bool(0.5) {
            0
        } else {
            rng.random_range(0..min)
        }
    } else {
        let max = count(o, "maxLength").unwrap_or(0);
        let len = if rng.random_bool(0.3) {
            (max + 1).max(HUGE)
        } else {
            max + 1
        };
        len.min(max.saturating_add(HUGE))
    };
    text(len, rng)
}

fn pick<R: Rng + ?Sized>(types: TypeSet, rng: &mut R) -> TypeSet {
    let each: Vec<TypeSet> = types.iter().collect();
    each[rng.random_range(..each.len())]
}

/// A value of exactly the type `t`.
pub fn of_type<R: Rng + ?Sized>(t: TypeSet, rng: &mut R) -> Value {
    match t {
        t if t == TypeSet::NULL => Value::Null,
        t if t == TypeSet::BOOLEAN => Value::Bool(rng.random()),
        t if t == TypeSet::INTEGER => Value::from(rng.random_range(-10..1000)),
        t if t == TypeSet::FRACTION => float_value(f64::from(rng.random_range(-10..1000)) + 0.5),
        t if t == TypeSet::STRING => Value::String(text(rng.random_range(0..8), rng)),
        t if t == TypeSet::ARRAY => Value::Array(if rng.random_bool(0.5) {
            Vec::new()
        } else {
            vec![Value::from(1), Value::from("a")]
        }),
        _ => {
            let mut m = Map::new();
            if rng.random_bool(0.5) {
                m.insert("shrike".into(), Value::from(1));
            }
            Value::Object(m)
        }
    }
}

/// A value outside `const`/`enum` (of one of the allowed types where possible).
fn not_in_enum(o: &Map<String, Value>) -> Option<Value> {
    let mut known: Vec<&Value> = get(o, "const").into_iter().collect();
    if let Some(Value::Array(e)) = get(o, "enum") {
        known.extend(e.iter());
    }
    let mut tries: Vec<Value> = Vec::new();
    for k in &known {
        match k {
            Value::String(s) => tries.extend([
                Value::from(format!("{s}_x")),
                Value::from(s.to_uppercase() + "X"),
            ]),
            Value::Number(n) => tries.push(float_value(n.as_f64().unwrap_or(0.0) + 1.0)),
            Value::Bool(b) => tries.push(Value::Bool(!b)),
            _ => {}
        }
    }
    tries.extend([
        Value::from(""),
        Value::from("shrike"),
        Value::from(-7),
        Value::Null,
        Value::Bool(true),
    ]);
    tries.into_iter().find(|t| !known.contains(&t))
}

/// A number below the minimum or above the maximum: just past it or far past it.
fn out_of_range<R: Rng + ?Sized>(
    o: &Map<String, Value>,
    below: bool,
    rng: &mut R,
) -> Option<Value> {
    let integer = TypeSet::declared(o).is_some_and(|t| !t.contains(TypeSet::FRACTION));
    if integer {
        let (lo, hi) = integer_bounds(o);
        let far = rng.random_bool(0.3);
        return Some(int_value(match (below, far) {
            (true, false) => lo? - 1,
            (true, true) => i128::from(i64::MIN).min(lo? - 1),
            (false, false) => hi? + 1,
            (false, true) => i128::from(u64::MAX).max(hi? + 1),
        }));
    }
    let (lo, hi) = float_bounds(o);
    let b = if below { lo? } else { hi? };
    if b.exclusive && rng.random_bool(0.5) {
        return Some(float_value(b.at));
    }
    let step = if rng.random_bool(0.3) {
        b.at.abs().max(1.0) * 1e6
    } else {
        1.0
    };
    let v = if below {
        (b.at - step).min(b.at.next_down())
    } else {
        (b.at + step).max(b.at.next_up())
    };
    let v = if v.is_finite() {
        v
    } else if below {
        b.at.next_down()
    } else {
        b.at.next_up()
    };
    v.is_finite().then(|| float_value(v))
}

/// A number that is not a multiple of `multipleOf`: an odd multiple of half of it.
fn not_multiple<R: Rng + ?Sized>(o: &Map<String, Value>, rng: &mut R) -> Option<Value> {
    let m = keywords::number(o, "multipleOf")?;
    let (mant, d) = decimal_parts(m)?;
    let k = 2 * rng.random_range(0..50) + 1;
    decimal_value(k, mant * 5, d + 1)
}
