//! Schema-driven value generation: JSON Schema 2020-12 → `serde_json::Value`.
//!
//! Sits between `schema` (which produces the schemas and the shared `defs` document) and `mutate` /
//! `input` (which build requests from the values). Four [`Mode`]s:
//!
//! - *valid*: satisfies the schema (types, enums, `const`, bounds, `multipleOf`, lengths, `pattern`,
//!   `format`, `required`, `additionalProperties`, `oneOf`/`anyOf`/`allOf`, recursion with a depth
//!   bound). Spec examples (`examples`, `example`, `default`) are used as seeds now and then.
//! - *boundary*: every constraint at its edges and just past them.
//! - *invalid*: a value the schema rejects (type confusion, missing required, extra properties,
//!   out-of-range, malformed formats, empty and huge values).
//! - *attack*: a value shaped like a valid one with a payload from the [`Dictionary`] in a leaf.
//!
//! Everything is deterministic given the caller's RNG. `$ref`s of the form
//! `urn:shrike:defs#/$defs/<key>` resolve into the `defs` document given to [`Generator::new`];
//! local `#/...` refs resolve against the document the schema lives in.
//!
//! For mutators: [`Generator::boundary_value`], [`Generator::invalid_value`] and
//! [`Generator::attack_value`] give one value for a (leaf) schema; [`Generator::resolve`] and
//! [`Generator::allowed_types`] help find a sub-schema's shape; [`Generator::stats`] counts the
//! places generation fell back. The attack dictionary holds 5,000-deep JSON payloads: copy them
//! with [`clone_deep`] (the derived `Clone` of `Value` recurses ~0.5 KiB of stack per level), and
//! note that `serde_json::from_str` refuses nesting past 128 levels unless told otherwise.
//!
//! Known limits: `format` and `pattern` on one string are only both met when a format value
//! happens to match the pattern; `unevaluatedProperties`/`unevaluatedItems` are not modelled
//! (valid mode adds no unlisted keys unless `additionalProperties` is a schema); `allOf` is merged
//! approximately (see `merge`); a `not` is honoured by retrying with a partial check.

mod attack;
mod boundary;
mod dictionary;
mod formats;
mod invalid;
mod invalid_shapes;
mod keywords;
mod merge;
mod numbers;
mod objects;
mod quick;
mod regex_gen;
mod valid;

#[cfg(test)]
mod props;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use dictionary::{Category, DEEP_NESTING, Dictionary, Payload, clone_deep};
pub use keywords::TypeSet;

use crate::spec::DEFS_URI;
use regex_gen::PatternCache;

/// How [`Generator::generate`] treats the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    Valid,
    Boundary,
    Invalid,
    Attack,
}

impl Mode {
    /// All modes, in a fixed order.
    pub const ALL: [Mode; 4] = [Mode::Valid, Mode::Boundary, Mode::Invalid, Mode::Attack];
}

/// Errors Shrike's generator can report (loading a user dictionary).
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot read dictionary {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("dictionary {path}, line {line}: {message}")]
    Dictionary {
        path: std::path::PathBuf,
        line: usize,
        message: String,
    },
}

/// Counters of the places where generation had to give up on the schema's intent.
#[derive(Debug, Default)]
struct Counters {
    /// Patterns that did not parse or whose generated strings did not match.
    unsatisfied_patterns: AtomicU64,
    /// Other fallbacks: unsatisfiable schemas (`false`, empty ranges), unknown refs, depth cut-offs.
    fallbacks: AtomicU64,
}

/// A snapshot of the generator's fallback counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenStats {
    pub unsatisfied_patterns: u64,
    pub fallbacks: u64,
}

/// A JSON pointer lookup that only allocates for tokens with `~` escapes.
fn pointer<'a>(doc: &'a Value, ptr: &str) -> Option<&'a Value> {
    let rest = ptr.strip_prefix('/')?;
    let mut cur = doc;
    for token in rest.split('/') {
        cur = match cur {
            Value::Object(m) if token.contains('~') => {
                m.get(&token.replace("~1", "/").replace("~0", "~"))?
            }
            Value::Object(m) => keywords::get(m, token).or_else(|| m.get(token))?,
            Value::Array(a) => a.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// The largest number of `$ref` hops followed in one resolution.
const MAX_REF_HOPS: usize = 32;

/// Schema-driven value generator. Cheap to clone (shared state behind `Arc`s).
#[derive(Clone)]
pub struct Generator {
    defs: Arc<Value>,
    dict: Arc<Dictionary>,
    patterns: Arc<PatternCache>,
    counters: Arc<Counters>,
    max_depth: usize,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("max_depth", &self.max_depth)
            .field("payloads", &self.dict.len())
            .finish_non_exhaustive()
    }
}

impl Generator {
    /// A generator for schemas whose named `$ref`s point into `defs`
    /// (`{"$id": "urn:shrike:defs", "$defs": {...}}`), with the built-in attack dictionary.
    pub fn new(defs: Value) -> Self {
        let patterns = PatternCache::default();
        patterns.prepare_all(&defs);
        Generator {
            defs: Arc::new(defs),
            dict: Arc::new(Dictionary::builtin()),
            patterns: Arc::new(patterns),
            counters: Arc::new(Counters::default()),
            max_depth: 6,
        }
    }

    /// Adds the user's payloads to the built-in ones.
    pub fn with_dictionary(mut self, extra: Dictionary) -> Self {
        let mut dict = (*self.dict).clone();
        dict.extend(extra);
        self.dict = Arc::new(dict);
        self
    }

    /// Sets the nesting depth after which optional parts are left out and recursive branches
    /// avoided (default 6).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The attack dictionary in use.
    pub fn dictionary(&self) -> &Dictionary {
        &self.dict
    }

    /// The `defs` document.
    pub fn defs(&self) -> &Value {
        &self.defs
    }

    /// Counters of fallbacks so far (shared between clones).
    pub fn stats(&self) -> GenStats {
        GenStats {
            unsatisfied_patterns: self.counters.unsatisfied_patterns.load(Ordering::Relaxed),
            fallbacks: self.counters.fallbacks.load(Ordering::Relaxed),
        }
    }

    /// Compiles and caches the `pattern`s found in `schema` now, so that later generation does not
    /// pay for parsing. Optional: patterns are also cached on first use.
    pub fn prepare(&self, schema: &Value) {
        self.patterns.prepare_all(schema);
    }

    /// A value for `schema` in `mode`.
    pub fn generate<R: Rng + ?Sized>(&self, schema: &Value, mode: Mode, rng: &mut R) -> Value {
        self.generate_with_examples(schema, &[], mode, rng)
    }

    /// Like [`generate`](Self::generate), with extra example values (e.g. a parameter's examples)
    /// that *valid* mode uses as seeds with some probability.
    pub fn generate_with_examples<R: Rng + ?Sized>(
        &self,
        schema: &Value,
        examples: &[Value],
        mode: Mode,
        rng: &mut R,
    ) -> Value {
        match mode {
            Mode::Valid => {
                if !examples.is_empty() && rng.random_bool(0.25) {
                    return examples[rng.random_range(..examples.len())].clone();
                }
                valid::Walker::new(self, false).value(schema, schema, 0, rng)
            }
            Mode::Boundary => valid::Walker::new(self, true).value(schema, schema, 0, rng),
            Mode::Invalid => invalid::value(self, schema, rng),
            Mode::Attack => attack::value(self, schema, rng),
        }
    }

    /// One edge value (at or just past a constraint) for a leaf schema; composite schemas get a
    /// value with every leaf at an edge.
    pub fn boundary_value<R: Rng + ?Sized>(&self, schema: &Value, rng: &mut R) -> Value {
        self.generate(schema, Mode::Boundary, rng)
    }

    /// One value `schema` rejects. For a schema that accepts everything (`{}`, `true`) no such
    /// value exists; a type-confused value (an object holding an array) is returned instead.
    pub fn invalid_value<R: Rng + ?Sized>(&self, schema: &Value, rng: &mut R) -> Value {
        invalid::value(self, schema, rng)
    }

    /// One attack payload suited to the leaf schema's type (strings get string payloads, numbers
    /// numeric ones; anything else any payload).
    pub fn attack_value<R: Rng + ?Sized>(&self, schema: &Value, rng: &mut R) -> Value {
        attack::leaf(self, schema, rng)
    }

    /// The JSON types `schema` can accept (`type`, narrowed by `const`/`enum` and by the union of
    /// `anyOf`/`oneOf` branches, `$ref`s and `allOf` followed). Any type outside it is a
    /// type confusion the schema rejects.
    pub fn allowed_types(&self, schema: &Value) -> TypeSet {
        let (s, b) = self.resolve_in(schema, schema);
        match s {
            Value::Object(o) if o.contains_key("allOf") || o.contains_key("$ref") => {
                let (m, mb) = merge::flatten(self, s, b);
                m.as_object()
                    .map_or(TypeSet::ALL, |mo| invalid::allowed_types(self, mo, mb, 0))
            }
            Value::Object(o) => invalid::allowed_types(self, o, b, 0),
            Value::Bool(false) => TypeSet::EMPTY,
            _ => TypeSet::ALL,
        }
    }

    /// Follow `$ref` (bounded) to the schema it names; the input itself when it is not a ref.
    /// Local `#/...` refs resolve against the `defs` document.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        self.resolve_in(schema, &self.defs).0
    }

    /// Follows `$ref`s from `schema`, local refs resolving against `base`; returns the target and
    /// the document later local refs resolve against.
    pub(crate) fn resolve_in<'a>(
        &'a self,
        schema: &'a Value,
        base: &'a Value,
    ) -> (&'a Value, &'a Value) {
        let mut cur = (schema, base);
        for _ in 0..MAX_REF_HOPS {
            let Some(Value::String(r)) = cur.0.as_object().and_then(|o| keywords::get(o, "$ref"))
            else {
                return cur;
            };
            match self.follow(r, cur.1) {
                Some(next) => cur = next,
                None => {
                    self.count_fallback();
                    return (&Value::Bool(true), cur.1);
                }
            }
        }
        self.count_fallback();
        (&Value::Bool(true), cur.1)
    }

    /// One `$ref` hop.
    fn follow<'a>(&'a self, reference: &str, base: &'a Value) -> Option<(&'a Value, &'a Value)> {
        let (doc, fragment) = match reference.split_once('#') {
            Some(("", frag)) => (base, frag),
            Some((uri, frag)) if uri == DEFS_URI => (&*self.defs, frag),
            None if reference == DEFS_URI => (&*self.defs, ""),
            _ => return None,
        };
        if fragment.is_empty() {
            return Some((doc, doc));
        }
        if let Some(target) = pointer(doc, fragment) {
            return Some((target, doc));
        }
        let decoded = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .ok()?;
        doc.pointer(&decoded).map(|t| (t, doc))
    }

    pub(crate) fn count_fallback(&self) {
        self.counters.fallbacks.fetch_add(1, Ordering::Relaxed);
    }

    fn count_pattern_failure(&self) {
        self.counters
            .unsatisfied_patterns
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Depth beyond which generation stops descending at all (returns `null`).
    fn hard_depth(&self) -> usize {
        self.max_depth * 2 + 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::json;

    fn defs() -> Value {
        json!({"$id": DEFS_URI, "$defs": {
            "A": {"$ref": "#/$defs/B"},
            "B": {"type": "integer", "minimum": 3},
            "a/b": {"type": "string"},
            "Loop": {"$ref": "#/$defs/Loop"}
        }})
    }

    #[test]
    fn resolve_follows_named_and_local_refs() {
        let g = Generator::new(defs());
        let r = json!({"$ref": "urn:shrike:defs#/$defs/A"});
        assert_eq!(g.resolve(&r), &json!({"type": "integer", "minimum": 3}));
        let escaped = json!({"$ref": "urn:shrike:defs#/$defs/a~1b"});
        assert_eq!(g.resolve(&escaped), &json!({"type": "string"}));
        let plain = json!({"type": "null"});
        assert_eq!(g.resolve(&plain), &plain);
        // A ref cycle stops after a bounded number of hops and counts a fallback.
        let cyc = json!({"$ref": "urn:shrike:defs#/$defs/Loop"});
        assert_eq!(g.resolve(&cyc), &Value::Bool(true));
        assert!(g.stats().fallbacks >= 1);
    }

    #[test]
    fn allowed_types_see_through_refs_and_branches() {
        let g = Generator::new(defs());
        let t = g.allowed_types(&json!({"$ref": "urn:shrike:defs#/$defs/A"}));
        assert_eq!(t, TypeSet::INTEGER);
        let t = g.allowed_types(&json!({"anyOf": [{"type": "string"}, {"type": "null"}]}));
        assert_eq!(t, TypeSet::STRING.union(TypeSet::NULL));
        assert_eq!(g.allowed_types(&json!({})), TypeSet::ALL);
    }

    #[test]
    fn user_dictionaries_add_to_the_builtin_one() {
        let base = Generator::new(defs());
        let n = base.dictionary().len();
        let mut extra = Dictionary::default();
        extra.push(Category::Custom, json!("shrike-canary"));
        let g = base.with_dictionary(extra);
        assert_eq!(g.dictionary().len(), n + 1);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let seen = (0..20_000).any(|_| {
            g.attack_value(&json!({"type": "string"}), &mut rng) == json!("shrike-canary")
        });
        assert!(seen);
    }

    #[test]
    fn leaf_helpers_follow_their_modes() {
        let g = Generator::new(defs());
        let s = json!({"$ref": "urn:shrike:defs#/$defs/B"});
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..100 {
            let v = g.invalid_value(&s, &mut rng);
            assert!(v.as_i64().is_none_or(|i| i < 3), "{v}");
            let b = g.boundary_value(&s, &mut rng);
            assert!(b.is_number(), "{b}");
        }
    }
}
