//! The errors that stop a spec from loading: each names the file, a JSON pointer and what to do.
//!
//! Problems confined to one operation are not errors but [`Warning`](super::Warning)s.

use std::path::PathBuf;

/// Why a spec could not be loaded. `Display` is the one-paragraph message shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error(
        "cannot read the spec file {file}: {source}. Check the path given to --spec and that the \
         file is readable."
    )]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{file} is not valid {format} (JSON pointer \"{pointer}\": nothing could be parsed): \
         {message}. Fix the syntax near line {line}, column {column}."
    )]
    Syntax {
        file: PathBuf,
        format: &'static str,
        message: String,
        line: usize,
        column: usize,
        pointer: String,
    },
    #[error(
        "{file} at JSON pointer \"{pointer}\": unsupported spec version {found}. Shrike reads \
         Swagger 2.0 (`swagger: \"2.0\"`), OpenAPI 3.0.x and 3.1.x (`openapi: 3.0.3` / `3.1.0`); \
         convert the document to one of these versions."
    )]
    UnknownVersion {
        file: PathBuf,
        pointer: String,
        found: String,
    },
    #[error(
        "{file} at JSON pointer \"{pointer}\": the reference \"{reference}\" cannot be resolved \
         ({reason}). Fix the `$ref` or add the missing definition."
    )]
    DanglingRef {
        file: PathBuf,
        pointer: String,
        reference: String,
        reason: String,
    },
    #[error("{file} at JSON pointer \"{pointer}\": {message}. Fix the document at that position.")]
    Invalid {
        file: PathBuf,
        pointer: String,
        message: String,
    },
}

impl SpecError {
    /// The file the error is about.
    pub fn file(&self) -> &std::path::Path {
        match self {
            SpecError::Read { file, .. }
            | SpecError::Syntax { file, .. }
            | SpecError::UnknownVersion { file, .. }
            | SpecError::DanglingRef { file, .. }
            | SpecError::Invalid { file, .. } => file,
        }
    }

    /// The JSON pointer into [`SpecError::file`] the error is about (`""` is the document root).
    pub fn pointer(&self) -> &str {
        match self {
            SpecError::Read { .. } => "",
            SpecError::Syntax { pointer, .. }
            | SpecError::UnknownVersion { pointer, .. }
            | SpecError::DanglingRef { pointer, .. }
            | SpecError::Invalid { pointer, .. } => pointer,
        }
    }

    /// A short, stable category name, used to group failures in corpus statistics.
    pub fn kind(&self) -> &'static str {
        match self {
            SpecError::Read { .. } => "read",
            SpecError::Syntax { .. } => "syntax",
            SpecError::UnknownVersion { .. } => "unknown-version",
            SpecError::DanglingRef { .. } => "dangling-ref",
            SpecError::Invalid { .. } => "invalid",
        }
    }
}
