//! Compiled validators for converted schemas.
//!
//! Every schema in the model may `$ref` into the model's defs document (`$id` = [`DEFS_URI`]);
//! it is registered in a `jsonschema::Registry` so those references resolve in memory. Nothing is
//! ever fetched: the crate is built without its HTTP and file resolvers.
//!
//! Formats: validators do **not** assert `format` (the 2020-12 default: format is an annotation).
//! Real specs use many custom or loosely-followed formats (`int32`, `uuid4`, `phone`), and asserting
//! them would turn spec sloppiness into false findings; generators still use `format` as a hint.

use std::collections::HashMap;
use std::sync::Arc;

use jsonschema::{Draft, Registry, ValidationOptions, Validator};
use serde_json::Value;

use crate::spec::{DEFS_URI, MediaType, Model, OperationId, StatusKey};

/// A schema that could not be turned into a validator.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    #[error("the converted schema defs cannot be registered: {0}")]
    Registry(String),
    #[error("the schema {context}cannot be compiled into a validator: {message}")]
    Compile { context: String, message: String },
}

fn registry(defs: &Value) -> Result<Registry<'_>, SchemaError> {
    Registry::new()
        .draft(Draft::Draft202012)
        .add(DEFS_URI, defs)
        .and_then(|builder| builder.prepare())
        .map_err(|e| SchemaError::Registry(e.to_string()))
}

fn options<'a>(registry: &'a Registry<'a>) -> ValidationOptions<'a> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(registry)
        .should_validate_formats(false)
}

/// Compiles `schema` (JSON Schema 2020-12 whose `$ref`s may point into `defs`).
///
/// This builds a fresh registry each call; use [`Validators`] to compile many schemas of one model.
pub fn validator_for(defs: &Value, schema: &Value) -> Result<Validator, SchemaError> {
    let registry = registry(defs)?;
    options(&registry)
        .build(schema)
        .map_err(|e| SchemaError::Compile {
            context: String::new(),
            message: e.to_string(),
        })
}

/// `type/subtype` lower-cased, without parameters: `Application/JSON; charset=utf-8` →
/// `application/json`.
pub fn normalise_media_type(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The documented media type that best matches `wanted`: exact, then `type/*`, then `*/*`.
fn find_media<'a>(content: &'a [MediaType], wanted: &str) -> Option<&'a MediaType> {
    let wanted = normalise_media_type(wanted);
    let major = wanted.split('/').next().unwrap_or_default();
    let by = |pred: &dyn Fn(&str) -> bool| {
        content
            .iter()
            .find(|m| pred(&normalise_media_type(&m.media_type)))
    };
    by(&|m| m == wanted)
        .or_else(|| by(&|m| m.strip_suffix("/*") == Some(major)))
        .or_else(|| by(&|m| m == "*/*"))
}

type Key = (OperationId, StatusKey, String);

/// Response validators of one model, compiled lazily, once per (operation, status key, media
/// type), and reused. Failures are cached too, so a bad schema is reported once.
///
/// A compiled validator embeds every schema it reaches, so on large, densely linked specs each
/// one can take megabytes; [`Validators::with_limit`] bounds how many are kept (the cache is
/// emptied when full, and entries are recompiled on demand).
pub struct Validators<'m> {
    model: &'m Model,
    registry: Registry<'m>,
    index: HashMap<&'m OperationId, usize>,
    cache: HashMap<Key, Result<Arc<Validator>, SchemaError>>,
    limit: usize,
}

impl std::fmt::Debug for Validators<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validators")
            .field("compiled", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl<'m> Validators<'m> {
    /// Registers the model's defs; nothing is compiled yet.
    pub fn new(model: &'m Model) -> Result<Self, SchemaError> {
        let index = model
            .operations
            .iter()
            .enumerate()
            .map(|(i, op)| (&op.id, i))
            .collect();
        Ok(Validators {
            model,
            registry: registry(&model.defs)?,
            index,
            cache: HashMap::new(),
            limit: usize::MAX,
        })
    }

    /// Keeps at most `limit` (≥ 1) compiled entries.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

    /// Number of (operation, status, media type) entries compiled or attempted so far.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// The validator for a response of `operation` with `status` and `media_type` (the response's
    /// `Content-Type`, parameters ignored). `Ok(None)` when the spec documents no schema for it.
    pub fn response(
        &mut self,
        operation: &OperationId,
        status: u16,
        media_type: &str,
    ) -> Result<Option<Arc<Validator>>, SchemaError> {
        let Some(&op_index) = self.index.get(operation) else {
            return Ok(None);
        };
        let op = &self.model.operations[op_index];
        let Some((status_key, response)) = [
            StatusKey::Code(status),
            StatusKey::Range((status / 100) as u8),
            StatusKey::Default,
        ]
        .into_iter()
        .find_map(|k| op.responses.get(&k).map(|r| (k, r))) else {
            return Ok(None);
        };
        let Some(media) = find_media(&response.content, media_type) else {
            return Ok(None);
        };
        let key = (operation.clone(), status_key, media.media_type.clone());
        if let Some(cached) = self.cache.get(&key) {
            return cached.clone().map(Some);
        }
        let compiled = options(&self.registry)
            .build(&media.schema)
            .map(Arc::new)
            .map_err(|e| SchemaError::Compile {
                context: format!(
                    "of {operation} response {status_key} ({}) ",
                    media.media_type
                ),
                message: e.to_string(),
            });
        if self.cache.len() >= self.limit {
            self.cache.clear();
        }
        self.cache.insert(key, compiled.clone());
        compiled.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs() -> Value {
        json!({"$id": DEFS_URI, "$defs": {
            "Node": {"type": "object", "properties": {
                "next": {"$ref": "urn:shrike:defs#/$defs/Node"}, "v": {"type": "integer"}}}
        }})
    }

    #[test]
    fn refs_resolve_into_the_defs_document() {
        let v = validator_for(&defs(), &json!({"$ref": "urn:shrike:defs#/$defs/Node"})).unwrap();
        assert!(v.is_valid(&json!({"v": 1, "next": {"v": 2}})));
        assert!(!v.is_valid(&json!({"v": 1, "next": {"v": "x"}})));
    }

    #[test]
    fn formats_are_not_asserted() {
        let v = validator_for(&defs(), &json!({"type": "string", "format": "email"})).unwrap();
        assert!(v.is_valid(&json!("not an email")));
        let v = validator_for(&defs(), &json!({"type": "string", "format": "my-own"})).unwrap();
        assert!(v.is_valid(&json!("x")));
    }

    #[test]
    fn dangling_defs_ref_fails_to_compile() {
        let err = validator_for(&defs(), &json!({"$ref": "urn:shrike:defs#/$defs/Nope"}));
        assert!(err.is_err());
    }

    #[test]
    fn media_types_match_loosely() {
        let content = vec![
            MediaType {
                media_type: "application/json".into(),
                schema: json!(true),
                examples: vec![],
            },
            MediaType {
                media_type: "text/*".into(),
                schema: json!(false),
                examples: vec![],
            },
        ];
        let m = find_media(&content, "Application/JSON; charset=utf-8").unwrap();
        assert_eq!(m.media_type, "application/json");
        assert_eq!(
            find_media(&content, "text/plain").unwrap().media_type,
            "text/*"
        );
        assert!(find_media(&content, "image/png").is_none());
    }
}
