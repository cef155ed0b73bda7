//! Spec ingestion: JSON or YAML, Swagger 2.0 / OpenAPI 3.0 / 3.1, into one [`Model`].

pub mod model;

pub use model::*;
