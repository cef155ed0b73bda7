//! The schema walker behind *valid* and *boundary* mode: resolves `$ref`, flattens `allOf`, picks
//! `oneOf`/`anyOf` branches, and builds objects and arrays; leaves come from [`super::leaf`]-style
//! helpers here (valid) or from [`super::boundary`] (edges). Depth is bounded: past
//! `max_depth` optional properties are left out, arrays take their minimum length and branches
//! without `$ref` are preferred; past the hard limit generation stops with `null`.

use rand::Rng;
use serde_json::{Map, Value};

use super::Generator;
use super::boundary;
use super::keywords::{self, TypeSet, count, get, is_annotation};
use super::merge;
use super::numbers;

/// Attempts at a `oneOf` value that matches only its own branch.
const ONE_OF_ATTEMPTS: usize = 8;
/// Attempts at a fresh element for `uniqueItems` arrays.
const UNIQUE_ATTEMPTS: usize = 16;
/// Upper bound on generated array lengths and object sizes, whatever the schema asks.
const MAX_ITEMS: u64 = 4096;

/// Walks schemas producing values; `edges` switches leaves and sizes to boundary values.
pub struct Walker<'g> {
    pub g: &'g Generator,
    pub edges: bool,
}

impl<'g> Walker<'g> {
    pub fn new(g: &'g Generator, edges: bool) -> Self {
        Walker { g, edges }
    }

    /// A value for `schema`, whose local refs resolve against `base`.
    pub fn value<R: Rng + ?Sized>(
        &self,
        schema: &Value,
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        if depth > self.g.hard_depth() {
            self.g.count_fallback();
            return Value::Null;
        }
        let obj = match schema {
            Value::Object(o) => o,
            Value::Bool(false) => {
                self.g.count_fallback();
                return Value::Null;
            }
            _ => return self.any(depth, rng),
        };
        if let Some(cond) = get(obj, "if") {
            return self.conditional(obj, cond, base, depth, rng);
        }
        if get(obj, "$ref").is_some() && obj.keys().all(|k| k == "$ref" || is_annotation(k)) {
            let (target, tbase) = self.g.resolve_in(schema, base);
            return self.value(target, tbase, depth + 1, rng);
        }
        if get(obj, "$ref").is_some() || get(obj, "allOf").is_some() {
            let (merged, mbase) = merge::flatten(self.g, schema, base);
            return match &merged {
                Value::Object(m) => self.avoiding_not(m, mbase, depth + 1, rng),
                _ => Value::Null,
            };
        }
        self.avoiding_not(obj, base, depth, rng)
    }

    /// `if`/`then`/`else`: either satisfy `if` and `then`, or `else` with a value `if` rejects.
    fn conditional<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        cond: &Value,
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        let rest: Map<String, Value> = obj
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "if" | "then" | "else"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let all_of = |parts: Vec<Value>| {
            Value::Object(Map::from_iter([("allOf".to_owned(), Value::Array(parts))]))
        };
        if let Some(otherwise) = get(obj, "else")
            && rng.random_bool(0.5)
        {
            let s = all_of(vec![Value::Object(rest.clone()), otherwise.clone()]);
            for _ in 0..ONE_OF_ATTEMPTS / 2 {
                let v = self.value(&s, base, depth + 1, rng);
                if super::quick::rejects(self.g, &v, cond, base) {
                    return v;
                }
            }
        }
        let mut parts = vec![Value::Object(rest), cond.clone()];
        parts.extend(get(obj, "then").cloned());
        self.value(&all_of(parts), base, depth + 1, rng)
    }

    /// Generates for `obj`, retrying a few times while the value might satisfy its `not`.
    fn avoiding_not<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        let mut v = self.object_schema(obj, base, depth, rng);
        let Some(not) = get(obj, "not") else {
            return v;
        };
        for _ in 0..ONE_OF_ATTEMPTS {
            if super::quick::rejects(self.g, &v, not, base) {
                return v;
            }
            v = self.object_schema(obj, base, depth, rng);
        }
        // `not: {required: [..]}`: dropping one of those keys satisfies it.
        if let (Value::Object(m), Some(Value::Array(req))) =
            (&mut v, not.as_object().and_then(|n| get(n, "required")))
            && let Some(k) = req
                .iter()
                .filter_map(Value::as_str)
                .find(|k| m.contains_key(*k))
        {
            m.shift_remove(k);
        }
        v
    }

    fn object_schema<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        if let Some(c) = get(obj, "const") {
            return c.clone();
        }
        if let Some(Value::Array(e)) = get(obj, "enum")
            && !e.is_empty()
        {
            let i = if self.edges && rng.random_bool(0.5) {
                if rng.random_bool(0.5) { 0 } else { e.len() - 1 }
            } else {
                rng.random_range(..e.len())
            };
            return e[i].clone();
        }
        if !self.edges
            && let Some(ex) = example(obj, rng)
        {
            return ex;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = get(obj, key)
                && !branches.is_empty()
            {
                return self.branch(obj, key, branches, base, depth, rng);
            }
        }
        let mut types = TypeSet::declared(obj).unwrap_or_else(|| keywords::inferred(obj));
        if let Some(Value::Object(not)) = get(obj, "not")
            && not.len() == 1
            && let Some(forbidden) = TypeSet::declared(not)
            && !types.intersect(forbidden.complement()).is_empty()
        {
            types = types.intersect(forbidden.complement());
        }
        match pick_type(types, rng) {
            t if t == TypeSet::NULL => Value::Null,
            t if t == TypeSet::BOOLEAN => Value::Bool(rng.random()),
            t if t == TypeSet::INTEGER
                && (self.edges
                    || numbers::has_integers(obj)
                    || !types.contains(TypeSet::FRACTION)) =>
            {
                numbers::integer(obj, self.edges, self.g, rng)
            }
            t if t == TypeSet::INTEGER => numbers::number(obj, self.edges, self.g, rng),
            t if t == TypeSet::FRACTION => numbers::number(obj, self.edges, self.g, rng),
            t if t == TypeSet::STRING => Value::String(self.string(obj, rng)),
            t if t == TypeSet::ARRAY => self.array(obj, base, depth, rng),
            t if t == TypeSet::OBJECT => self.object(obj, base, depth, rng),
            _ => {
                self.g.count_fallback();
                Value::Null
            }
        }
    }

    /// A value from one `oneOf`/`anyOf` branch (merged with the keywords beside it).
    fn branch<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        key: &str,
        branches: &[Value],
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        let deep = depth >= self.g.max_depth;
        let shallow: Vec<usize> = if deep {
            (0..branches.len())
                .filter(|i| !has_ref(&branches[*i]))
                .collect()
        } else {
            Vec::new()
        };
        let rest: Map<String, Value> = obj
            .iter()
            .filter(|(k, _)| *k != key && *k != "anyOf" && *k != "oneOf" && !is_annotation(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut value = Value::Null;
        for attempt in 0..ONE_OF_ATTEMPTS {
            let idx = if shallow.is_empty() {
                rng.random_range(..branches.len())
            } else {
                shallow[rng.random_range(..shallow.len())]
            };
            value = if rest.is_empty() {
                self.value(&branches[idx], base, depth + 1, rng)
            } else {
                let both = Value::Object(Map::from_iter([(
                    "allOf".to_owned(),
                    Value::Array(vec![Value::Object(rest.clone()), branches[idx].clone()]),
                )]));
                self.value(&both, base, depth + 1, rng)
            };
            let ambiguous = key == "oneOf"
                && branches
                    .iter()
                    .enumerate()
                    .any(|(i, b)| i != idx && !super::quick::rejects(self.g, &value, b, base));
            if !ambiguous || attempt + 1 == ONE_OF_ATTEMPTS {
                break;
            }
        }
        value
    }

    /// A string for a string schema: format, then pattern, then plain text within the lengths.
    pub fn string<R: Rng + ?Sized>(&self, obj: &Map<String, Value>, rng: &mut R) -> String {
        let min = count(obj, "minLength").unwrap_or(0);
        let max = count(obj, "maxLength").unwrap_or(u64::MAX);
        if self.edges {
            return boundary::string(self.g, obj, min, max, rng);
        }
        let fits = |s: &str| (min..=max).contains(&keywords::char_len(s));
        let pattern = get(obj, "pattern")
            .and_then(Value::as_str)
            .and_then(|p| self.g.patterns.get(p));
        if let Some(f) = get(obj, "format").and_then(Value::as_str) {
            // With a pattern too, a few tries at a format value that also matches it.
            let tries = if pattern.is_some() { 8 } else { 1 };
            for _ in 0..tries {
                match super::formats::valid(f, rng) {
                    Some(s)
                        if fits(&s) && pattern.as_ref().is_none_or(|c| c.certainly_matches(&s)) =>
                    {
                        return s;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        }
        if let Some(p) = get(obj, "pattern").and_then(Value::as_str) {
            match self
                .g
                .patterns
                .get(p)
                .and_then(|c| c.generate(min, max, rng))
            {
                Some(s) => return s,
                None => self.g.count_pattern_failure(),
            }
        }
        if min > max {
            self.g.count_fallback();
        }
        let hi = max.min(min.saturating_add(12)).max(min);
        let lo = if min == 0 && hi > 0 { 1 } else { min };
        text(rng.random_range(lo..=hi), rng)
    }

    fn array<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        let min = count(obj, "minItems").unwrap_or(0).min(MAX_ITEMS);
        let max = count(obj, "maxItems").unwrap_or(u64::MAX).max(min);
        let len = if depth >= self.g.max_depth {
            min
        } else if self.edges {
            let cap = if depth == 0 {
                boundary::CAP
            } else {
                boundary::NESTED_CAP
            };
            boundary::size(min, max, cap, rng)
        } else {
            rng.random_range(min..=max.min(min + 3))
        };
        let prefix = match get(obj, "prefixItems") {
            Some(Value::Array(p)) => p.as_slice(),
            _ => &[],
        };
        let items = get(obj, "items").unwrap_or(&Value::Bool(true));
        let unique = get(obj, "uniqueItems") == Some(&Value::Bool(true));
        // With `maxContains`, the ordinary elements should stay out of `contains`.
        let avoid = get(obj, "maxContains").and(get(obj, "contains"));
        let mut out: Vec<Value> = Vec::with_capacity(len as usize);
        for i in 0..len as usize {
            let s = prefix.get(i).unwrap_or(items);
            if *s == Value::Bool(false) {
                break;
            }
            let mut v = self.value(s, base, depth + 1, rng);
            for _ in 0..UNIQUE_ATTEMPTS {
                let duplicate = unique && out.contains(&v);
                let counted = avoid.is_some_and(|c| !super::quick::rejects(self.g, &v, c, base));
                if !duplicate && !counted {
                    break;
                }
                v = self.value(s, base, depth + 1, rng);
            }
            if unique && out.contains(&v) {
                if (out.len() as u64) < min {
                    self.g.count_fallback();
                }
                break;
            }
            out.push(v);
        }
        if let Some(contains) = get(obj, "contains") {
            self.add_contains(obj, contains, items, base, depth, &mut out, rng);
        }
        Value::Array(out)
    }

    /// Makes sure `minContains` (default 1) elements satisfy `contains`.
    #[allow(clippy::too_many_arguments)]
    fn add_contains<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        contains: &Value,
        items: &Value,
        base: &Value,
        depth: usize,
        out: &mut Vec<Value>,
        rng: &mut R,
    ) {
        let need = count(obj, "minContains").unwrap_or(1).min(MAX_ITEMS) as usize;
        let both = Value::Object(Map::from_iter([(
            "allOf".to_owned(),
            Value::Array(vec![items.clone(), contains.clone()]),
        )]));
        let max = count(obj, "maxItems").unwrap_or(u64::MAX) as usize;
        for i in 0..need {
            let v = self.value(&both, base, depth + 1, rng);
            if out.len() < max {
                out.push(v);
            } else if let Some(slot) = out.get_mut(i) {
                *slot = v;
            }
        }
    }

    fn object<R: Rng + ?Sized>(
        &self,
        obj: &Map<String, Value>,
        base: &Value,
        depth: usize,
        rng: &mut R,
    ) -> Value {
        super::objects::build(self, obj, base, depth, rng)
    }

    /// Any value (for `true` / `{}` schemas): mostly scalars.
    pub fn any<R: Rng + ?Sized>(&self, depth: usize, rng: &mut R) -> Value {
        match rng.random_range(0..6) {
            0 => Value::Null,
            1 => Value::Bool(rng.random()),
            2 => Value::from(rng.random_range(-100..1000)),
            3 if depth < self.g.max_depth => Value::Array(vec![self.any(depth + 1, rng)]),
            _ => Value::String(text(rng.random_range(1..10), rng)),
        }
    }
}

/// Picks one type from a set: `null` rarely when anything else is allowed; integers as often as
/// fractions for `number`.
fn pick_type<R: Rng + ?Sized>(types: TypeSet, rng: &mut R) -> TypeSet {
    let mut t = types;
    if t.len() > 1 && t.contains(TypeSet::NULL) && rng.random_bool(0.9) {
        t = t.intersect(TypeSet::NULL.complement());
    }
    if t == TypeSet::ALL.intersect(TypeSet::NULL.complement()) {
        // Unconstrained: prefer the scalar types real APIs use most.
        let common = [TypeSet::STRING, TypeSet::INTEGER, TypeSet::BOOLEAN];
        return common[rng.random_range(..common.len())];
    }
    let each: Vec<TypeSet> = t.iter().collect();
    if each.is_empty() {
        return TypeSet::EMPTY;
    }
    each[rng.random_range(..each.len())]
}

/// A spec example (`examples`, `example`, `default`) now and then.
fn example<R: Rng + ?Sized>(obj: &Map<String, Value>, rng: &mut R) -> Option<Value> {
    let has = get(obj, "examples").is_some() || get(obj, "example").is_some();
    let has_default = get(obj, "default").is_some();
    if !(has || has_default) || !rng.random_bool(0.2) {
        return None;
    }
    let mut seeds: Vec<&Value> = Vec::new();
    if let Some(Value::Array(ex)) = get(obj, "examples") {
        seeds.extend(ex.iter());
    }
    seeds.extend(get(obj, "example"));
    seeds.extend(get(obj, "default"));
    if seeds.is_empty() {
        return None;
    }
    Some(seeds[rng.random_range(..seeds.len())].clone())
}

/// Whether a schema mentions `$ref` anywhere (bounded scan): such branches may recurse.
pub fn has_ref(schema: &Value) -> bool {
    let mut stack = vec![schema];
    let mut seen = 0;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > 256 {
            return true;
        }
        match v {
            Value::Object(o) => {
                if get(o, "$ref").is_some() {
                    return true;
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    false
}

/// Plain text of `len` characters: lowercase letters and digits, now and then a capital or space
/// (never at either end). Eight characters per 64-bit random word.
pub fn text<R: Rng + ?Sized>(len: u64, rng: &mut R) -> String {
    const CHARS: &[u8; 64] = b"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvABCDE ";
    let len = len as usize;
    let mut s = String::with_capacity(len);
    let mut word = 0u64;
    for i in 0..len {
        if i % 8 == 0 {
            word = rng.random();
        }
        let mut c = CHARS[(word & 63) as usize];
        word >>= 8;
        if c == b' ' && (i == 0 || i + 1 == len) {
            c = b'x';
        }
        s.push(char::from(c));
    }
    s
}
