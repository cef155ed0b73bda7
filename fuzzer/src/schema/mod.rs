//! Schemas: OpenAPI schema objects → JSON Schema 2020-12 ([`convert`]) and compiled `jsonschema`
//! validators ([`validate`]).
//!
//! Sits between `spec` (which converts every schema while loading, so [`crate::spec::Model`] holds
//! 2020-12 only) and the oracles/generators, which validate and generate against those schemas.

pub mod convert;
pub mod validate;

pub use convert::{Access, Dialect, KeepRefs, RefResolver, View, convert, convert_standalone};
pub use validate::{SchemaError, Validators, normalise_media_type, validator_for};
