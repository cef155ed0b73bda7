//! *Invalid* mode: values the schema rejects. Every keyword of a schema is a conjunct, so breaking
//! any one of them (in the schema itself, in a property, an item, an `allOf` member or the target
//! of a `$ref`) breaks the whole. The violations are chosen from those the schema makes certain:
//! type confusion (against every `anyOf`/`oneOf` branch), values outside `enum`/`const`, lengths,
//! bounds and sizes just or far past their limits (empty and huge), `multipleOf` misses, pattern
//! and format mismatches, missing required and extra properties, duplicates in unique arrays, and
//! values that satisfy a `not`. A schema that accepts everything (`{}`, `true`) has no invalid
//! value: [`value`] returns a type-confused `[{}]` for it.

use super::keywords::get;
use rand::Rng;
use serde_json::{Map, Value};

use super::Generator;
use super::formats;
use super::invalid_shapes::{self as shapes, ArrayViolation, ObjectViolation};
use super::keywords::{self, TypeSet, count, float_value, int_value, integer_bounds};
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
    TooFewItems,
    TooManyItems,
    Duplicate,
    BadItem,
    MissingRequired,
    ExtraProperty,
    BadProperty,
    TooFewProps,
    TooManyProps,
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
    use Violation::*;
    let mut c = Vec::new();
    let allowed = allowed_types(g, o, base, nest);
    if !allowed.complement().is_empty() {
        c.push(Type(allowed.complement()));
    }
    if get(o, "const").is_some() || get(o, "enum").is_some() {
        c.push(NotEnum);
    }
    let declared = TypeSet::declared(o).unwrap_or(TypeSet::ALL);
    let may = |t: TypeSet| declared.intersects(t);
    if may(TypeSet::STRING) {
        if count(o, "minLength").is_some_and(|m| m > 0) {
            c.push(TooShort);
        }
        if get(o, "maxLength").is_some() {
            c.push(TooLong);
        }
        if get(o, "pattern")
            .and_then(Value::as_str)
            .is_some_and(|p| g.patterns.get(p).is_some())
        {
            c.push(Pattern);
        }
        if get(o, "format")
            .and_then(Value::as_str)
            .is_some_and(keywords::format_is_checked)
        {
            c.push(Format);
        }
    }
    if may(TypeSet::NUMBER) {
        let has = |k: &str| keywords::number(o, k).is_some();
        if has("minimum") || has("exclusiveMinimum") {
            c.push(BelowMin);
        }
        if has("maximum") || has("exclusiveMaximum") {
            c.push(AboveMax);
        }
        if keywords::number(o, "multipleOf").is_some_and(|m| m > 0.0) {
            c.push(NotMultiple);
        }
    }
    if may(TypeSet::ARRAY) {
        if count(o, "minItems").is_some_and(|m| m > 0) {
            c.push(TooFewItems);
        }
        if count(o, "maxItems").is_some_and(|m| m < HUGE) {
            c.push(TooManyItems);
        }
        if get(o, "uniqueItems") == Some(&Value::Bool(true)) {
            c.push(Duplicate);
        }
        if get(o, "items").is_some() || get(o, "prefixItems").is_some() {
            c.push(BadItem);
        }
    }
    if may(TypeSet::OBJECT) {
        if get(o, "required")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty())
        {
            c.push(MissingRequired);
        }
        if get(o, "additionalProperties") == Some(&Value::Bool(false)) {
            c.push(ExtraProperty);
        }
        if get(o, "properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty())
        {
            c.push(BadProperty);
        }
        if count(o, "minProperties").is_some_and(|m| m > 0) {
            c.push(TooFewProps);
        }
        if count(o, "maxProperties").is_some_and(|m| m < 256) {
            c.push(TooManyProps);
        }
    }
    if get(o, "not").is_some() {
        c.push(Not);
    }
    c
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
        TooShort => {
            let min = count(o, "minLength").unwrap_or(1);
            let len = if rng.random_bool(0.5) {
                0
            } else {
                rng.random_range(0..min)
            };
            Some(Value::String(text(len, rng)))
        }
        TooLong => {
            let max = count(o, "maxLength").unwrap_or(0);
            let len = if rng.random_bool(0.3) {
                (max + 1).max(HUGE)
            } else {
                max + 1
            };
            Some(Value::String(text(len.min(max.saturating_add(HUGE)), rng)))
        }
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
        TooFewItems | TooManyItems | Duplicate | BadItem => {
            let kind = match v {
                TooFewItems => ArrayViolation::TooFew,
                TooManyItems => ArrayViolation::TooMany,
                Duplicate => ArrayViolation::Duplicate,
                _ => ArrayViolation::BadItem,
            };
            let items = match valid(rng) {
                Value::Array(a) => a,
                _ => Vec::new(),
            };
            shapes::array(g, o, base, nest, kind, items, rng).map(Value::Array)
        }
        MissingRequired | ExtraProperty | BadProperty | TooFewProps | TooManyProps => {
            let kind = match v {
                MissingRequired => ObjectViolation::MissingRequired,
                ExtraProperty => ObjectViolation::Extra,
                BadProperty => ObjectViolation::BadProperty,
                TooFewProps => ObjectViolation::TooFew,
                _ => ObjectViolation::TooMany,
            };
            let m = match valid(rng) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            shapes::object(g, o, base, nest, kind, m, rng).map(Value::Object)
        }
        Not => Some(w.value(get(o, "not")?, base, nest + 1, rng)),
    }
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
