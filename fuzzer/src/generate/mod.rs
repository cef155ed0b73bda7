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

pub use dictionary::{Category, Dictionary, Payload};
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
