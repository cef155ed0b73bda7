//! Spec ingestion: JSON or YAML, Swagger 2.0 / OpenAPI 3.0 / 3.1, into one [`Model`].
//!
//! The raw documents (`serde_json::Value`) are the source of truth: [`load`] reads the main file
//! and every file it references ([`docs`]), detects the version, and walks the document
//! ([`v2`], [`v3`]) into the normalised model. Schemas are converted to JSON Schema 2020-12 by
//! the `schema` module; referenced schemas land once in [`Model::defs`] ([`defs`]).
//!
//! A broken document (syntax, dangling `$ref`, unknown version) fails with a [`SpecError`]
//! naming file and JSON pointer; a problem inside one operation becomes a [`Warning`] and the
//! rest of the spec still loads.

pub(crate) mod defs;
pub(crate) mod docs;
pub mod error;
pub mod model;
mod ops;
mod paths;
mod security;
mod source;
mod v2;
mod v3;

use std::path::Path;

use serde_json::Value;

pub use error::SpecError;
pub use model::*;

/// Loads the spec at `path` (and the files it references).
pub fn load(path: &Path) -> Result<Model, SpecError> {
    let docs = docs::Docs::load(path)?;
    build(&docs)
}

/// Loads a spec from text already in memory; `path` names it in messages and anchors relative
/// `$ref`s.
pub fn load_str(path: &Path, text: &str) -> Result<Model, SpecError> {
    let root = source::parse_document(path, text)?;
    let docs = docs::Docs::from_root(path, root)?;
    build(&docs)
}

fn build(docs: &docs::Docs) -> Result<Model, SpecError> {
    let version = detect_version(docs.doc(0).path.as_path(), docs.root())?;
    match version {
        SpecVersion::Swagger2 => v2::build(docs),
        SpecVersion::OpenApi30 | SpecVersion::OpenApi31 => v3::build(docs, version),
    }
}

/// Reads `openapi` / `swagger` from the root.
fn detect_version(path: &Path, root: &Value) -> Result<SpecVersion, SpecError> {
    let unknown = |pointer: &str, found: String| SpecError::UnknownVersion {
        file: path.to_path_buf(),
        pointer: pointer.to_owned(),
        found,
    };
    if !root.is_object() {
        return Err(SpecError::Invalid {
            file: path.to_path_buf(),
            pointer: String::new(),
            message: "the document root must be an object with an `openapi` or `swagger` field"
                .to_owned(),
        });
    }
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    if let Some(v) = root.get("openapi") {
        let version = text(v);
        return if version.starts_with("3.0") {
            Ok(SpecVersion::OpenApi30)
        } else if version.starts_with("3.1") {
            Ok(SpecVersion::OpenApi31)
        } else {
            Err(unknown("/openapi", format!("\"{version}\"")))
        };
    }
    if let Some(v) = root.get("swagger") {
        let version = text(v);
        return if version == "2.0" || version == "2" {
            Ok(SpecVersion::Swagger2)
        } else {
            Err(unknown("/swagger", format!("\"{version}\"")))
        };
    }
    Err(unknown(
        "",
        "(none: neither `openapi` nor `swagger` is present)".to_owned(),
    ))
}

#[cfg(test)]
mod robustness_tests;
#[cfg(test)]
mod tests;
