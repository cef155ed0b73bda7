//! The API's OpenAPI 3.1 document (`schemas/demo-api.yaml`), embedded at compile time and served as
//! JSON from `GET /openapi.json`.

/// The YAML source, exactly as shipped in `schemas/demo-api.yaml`.
pub const YAML: &str = include_str!("../../../schemas/demo-api.yaml");

/// The embedded document could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot parse the YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    #[error("cannot serialise as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The document as a JSON value.
pub fn document() -> Result<serde_json::Value, SpecError> {
    Ok(serde_yaml::from_str(YAML)?)
}

/// The document serialised as JSON bytes.
pub fn json_bytes() -> Result<Vec<u8>, SpecError> {
    Ok(serde_json::to_vec(&document()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_json() {
        let document = document().expect("parse");
        assert!(
            document["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1."))
        );
        assert!(!json_bytes().expect("json").is_empty());
    }
}
