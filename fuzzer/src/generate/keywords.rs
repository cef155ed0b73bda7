//! Reading JSON Schema keywords: type sets, numeric and length bounds, and small helpers shared by
//! the generation modes.

use serde_json::{Map, Value};

/// A set of JSON instance types. `INTEGER` and `FRACTION` together make JSON Schema's `number`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TypeSet(u8);

impl TypeSet {
    pub const NULL: TypeSet = TypeSet(1);
    pub const BOOLEAN: TypeSet = TypeSet(2);
    pub const INTEGER: TypeSet = TypeSet(4);
    /// Numbers with a fractional part.
    pub const FRACTION: TypeSet = TypeSet(8);
    pub const STRING: TypeSet = TypeSet(16);
    pub const ARRAY: TypeSet = TypeSet(32);
    pub const OBJECT: TypeSet = TypeSet(64);
    pub const NUMBER: TypeSet = TypeSet(4 | 8);
    pub const ALL: TypeSet = TypeSet(127);
    pub const EMPTY: TypeSet = TypeSet(0);

    /// The individual types, in a fixed order.
    pub const EACH: [TypeSet; 7] = [
        TypeSet::NULL,
        TypeSet::BOOLEAN,
        TypeSet::INTEGER,
        TypeSet::FRACTION,
        TypeSet::STRING,
        TypeSet::ARRAY,
        TypeSet::OBJECT,
    ];

    pub fn contains(self, other: TypeSet) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn intersects(self, other: TypeSet) -> bool {
        self.0 & other.0 != 0
    }
    pub fn union(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 | other.0)
    }
    pub fn intersect(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 & other.0)
    }
    pub fn complement(self) -> TypeSet {
        TypeSet(!self.0 & Self::ALL.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }
    /// The individual types in the set.
    pub fn iter(self) -> impl Iterator<Item = TypeSet> {
        Self::EACH.into_iter().filter(move |t| self.contains(*t))
    }

    /// The set named by a JSON Schema type name.
    pub fn from_name(name: &str) -> TypeSet {
        match name {
            "null" => Self::NULL,
            "boolean" => Self::BOOLEAN,
            "integer" => Self::INTEGER,
            "number" => Self::NUMBER,
            "string" => Self::STRING,
            "array" => Self::ARRAY,
            "object" => Self::OBJECT,
            _ => Self::EMPTY,
        }
    }

    /// The type of a value.
    pub fn of(value: &Value) -> TypeSet {
        match value {
            Value::Null => Self::NULL,
            Value::Bool(_) => Self::BOOLEAN,
            Value::Number(n) => {
                if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                    Self::INTEGER
                } else {
                    Self::FRACTION
                }
            }
            Value::String(_) => Self::STRING,
            Value::Array(_) => Self::ARRAY,
            Value::Object(_) => Self::OBJECT,
        }
    }

    /// The `type` keyword as a set; `None` when the keyword is absent or malformed.
    pub fn declared(schema: &Map<String, Value>) -> Option<TypeSet> {
        match get(schema, "type")? {
            Value::String(s) => Some(Self::from_name(s)),
            Value::Array(names) => Some(
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .fold(Self::EMPTY, |acc, n| acc.union(Self::from_name(n))),
            ),
            _ => None,
        }
    }

    /// The JSON Schema `type` value for this set.
    pub fn to_keyword(self) -> Value {
        let mut names = Vec::new();
        for (t, name) in [
            (Self::NULL, "null"),
            (Self::BOOLEAN, "boolean"),
            (Self::STRING, "string"),
            (Self::ARRAY, "array"),
            (Self::OBJECT, "object"),
        ] {
            if self.contains(t) {
                names.push(Value::from(name));
            }
        }
        if self.contains(Self::NUMBER) {
            names.push(Value::from("number"));
        } else if self.contains(Self::INTEGER) {
            names.push(Value::from("integer"));
        }
        if names.len() == 1 {
            names.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(names)
        }
    }
}

/// Maps up to this size are searched linearly: faster than hashing the key for schema objects.
const LINEAR_LOOKUP: usize = 12;

/// `obj.get(key)`, by linear search for small maps (most schema objects), by hash otherwise.
#[inline]
pub fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if obj.len() <= LINEAR_LOOKUP {
        obj.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        obj.get(key)
    }
}

/// Keywords that constrain nothing (annotations); a `$ref` with only these beside it is a plain ref.
pub fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "title"
            | "description"
            | "example"
            | "examples"
            | "default"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
            | "$comment"
            | "$id"
            | "$schema"
            | "$anchor"
            | "$defs"
            | "definitions"
            | "xml"
            | "externalDocs"
            | "discriminator"
    ) || key.starts_with("x-")
}

/// Guesses the type from the keywords present when `type` is absent.
pub fn inferred(schema: &Map<String, Value>) -> TypeSet {
    let has = |k: &str| get(schema, k).is_some();
    if has("properties")
        || has("required")
        || has("additionalProperties")
        || has("patternProperties")
        || has("minProperties")
        || has("maxProperties")
    {
        TypeSet::OBJECT
    } else if has("items") || has("prefixItems") || has("minItems") || has("maxItems") {
        TypeSet::ARRAY
    } else if has("pattern") || has("minLength") || has("maxLength") || has("format") {
        TypeSet::STRING
    } else if has("minimum")
        || has("maximum")
        || has("exclusiveMinimum")
        || has("exclusiveMaximum")
        || has("multipleOf")
    {
        TypeSet::NUMBER
    } else {
        TypeSet::ALL
    }
}

/// A non-negative integer keyword (`minLength`, `maxItems`, ...).
pub fn count(schema: &Map<String, Value>, key: &str) -> Option<u64> {
    let v = get(schema, key)?;
    v.as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

/// A numeric keyword as `f64`.
pub fn number(schema: &Map<String, Value>, key: &str) -> Option<f64> {
    get(schema, key)?.as_f64().filter(|f| f.is_finite())
}

/// Inclusive integer bounds implied by `minimum`, `maximum`, the exclusive forms and the
/// `int32`/`int64` formats. `None` on a side means unbounded.
pub fn integer_bounds(schema: &Map<String, Value>) -> (Option<i128>, Option<i128>) {
    let mut lo: Option<i128> = None;
    let mut hi: Option<i128> = None;
    let raise = |cur: Option<i128>, v: i128| Some(cur.map_or(v, |c| c.max(v)));
    let lower = |cur: Option<i128>, v: i128| Some(cur.map_or(v, |c| c.min(v)));
    if let Some(m) = number(schema, "minimum") {
        lo = raise(lo, to_i128(m.ceil()));
    }
    if let Some(m) = number(schema, "exclusiveMinimum") {
        lo = raise(lo, to_i128(m.floor()) + 1);
    }
    if let Some(m) = number(schema, "maximum") {
        hi = lower(hi, to_i128(m.floor()));
    }
    if let Some(m) = number(schema, "exclusiveMaximum") {
        hi = lower(hi, to_i128(m.ceil()) - 1);
    }
    match get(schema, "format").and_then(Value::as_str) {
        Some("int32") => {
            lo = raise(lo, i128::from(i32::MIN));
            hi = lower(hi, i128::from(i32::MAX));
        }
        Some("int64") => {
            lo = raise(lo, i128::from(i64::MIN));
            hi = lower(hi, i128::from(i64::MAX));
        }
        _ => {}
    }
    (lo, hi)
}

/// Bounds beyond this magnitude (about 2^70, far past `u64`) are clamped to it, so arithmetic
/// on bounds never overflows.
const BOUND_LIMIT: f64 = 1e21;

/// Converts a float that holds an integer to `i128`, clamped to ±[`BOUND_LIMIT`].
pub fn to_i128(f: f64) -> i128 {
    f.clamp(-BOUND_LIMIT, BOUND_LIMIT) as i128
}

/// An integer as a JSON number (`u64` above `i64::MAX`, a float beyond `u64`).
pub fn int_value(v: i128) -> Value {
    if let Ok(i) = i64::try_from(v) {
        Value::from(i)
    } else if let Ok(u) = u64::try_from(v) {
        Value::from(u)
    } else {
        Value::from(v as f64)
    }
}

/// A float as a JSON number (`null` for non-finite values, which JSON cannot hold).
pub fn float_value(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// The length of a string as JSON Schema counts it (code points).
pub fn char_len(s: &str) -> u64 {
    s.chars().count() as u64
}

/// Whether the schema's `format` is one the `jsonschema` crate checks when format validation is on.
pub fn format_is_checked(format: &str) -> bool {
    matches!(
        format,
        "date"
            | "date-time"
            | "time"
            | "duration"
            | "email"
            | "hostname"
            | "ipv4"
            | "ipv6"
            | "uri"
            | "uri-reference"
            | "iri"
            | "uuid"
            | "json-pointer"
            | "regex"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_sets_read_type_keyword() {
        let s = json!({"type": ["string", "null"]});
        let t = TypeSet::declared(s.as_object().expect("object")).expect("declared");
        assert!(t.contains(TypeSet::STRING) && t.contains(TypeSet::NULL));
        assert!(!t.intersects(TypeSet::NUMBER));
        assert_eq!(TypeSet::of(&json!(2.0)), TypeSet::INTEGER);
        assert_eq!(TypeSet::of(&json!(2.5)), TypeSet::FRACTION);
        assert_eq!(TypeSet::NUMBER.to_keyword(), json!("number"));
    }

    #[test]
    fn integer_bounds_combine_keywords_and_formats() {
        let s = json!({"exclusiveMinimum": 1.5, "maximum": 10, "format": "int32"});
        let (lo, hi) = integer_bounds(s.as_object().expect("object"));
        assert_eq!((lo, hi), (Some(2), Some(10)));
        let s = json!({"format": "int32"});
        let (lo, hi) = integer_bounds(s.as_object().expect("object"));
        assert_eq!((lo, hi), (Some(-2_147_483_648), Some(2_147_483_647)));
    }
}
