//! The schema-violation oracle: a JSON response body that does not match the schema the spec
//! documents for its status and media type, or a required response header that is missing.
//!
//! Conservative by design (no finding without evidence): only JSON bodies are validated, only
//! against a documented JSON schema for that status, and truncated bodies are skipped.

use std::collections::HashMap;
use std::sync::Arc;

use jsonschema::Validator;

use super::errsig::fnv1a;
use super::{Finding, FindingKind};
use crate::campaign::runner::ResponseCheck;
use crate::http::{HttpRequest, HttpResponse};
use crate::schema::{normalise_media_type, validator_for};
use crate::spec::{MediaType, Model, Operation, OperationId, StatusKey};

type Key = (OperationId, StatusKey, String);

/// Validates responses against the model's response schemas, compiling each validator once.
pub struct SchemaCheck {
    model: Arc<Model>,
    cache: HashMap<Key, Option<Arc<Validator>>>,
}

impl SchemaCheck {
    pub fn new(model: Arc<Model>) -> Self {
        SchemaCheck {
            model,
            cache: HashMap::new(),
        }
    }

    fn validator(&mut self, key: Key, media: &MediaType) -> Option<Arc<Validator>> {
        let model = &self.model;
        self.cache
            .entry(key)
            .or_insert_with(|| match validator_for(&model.defs, &media.schema) {
                Ok(v) => Some(Arc::new(v)),
                Err(e) => {
                    tracing::warn!("response schema not checked: {e}");
                    None
                }
            })
            .clone()
    }
}

fn is_json(media_type: &str) -> bool {
    let m = normalise_media_type(media_type);
    m == "application/json" || m.ends_with("+json")
}

impl ResponseCheck for SchemaCheck {
    fn check(
        &mut self,
        op: &Operation,
        request: &HttpRequest,
        response: &HttpResponse,
    ) -> Option<Finding> {
        let json = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
        self.check_parsed(op, request, response, json.as_ref())
    }

    fn check_parsed(
        &mut self,
        op: &Operation,
        request: &HttpRequest,
        response: &HttpResponse,
        json: Option<&serde_json::Value>,
    ) -> Option<Finding> {
        // A request sent with another method (a CORS preflight) is not the documented operation.
        if request.method != op.method.as_str() {
            return None;
        }
        let (status_key, documented) = [
            StatusKey::Code(response.status),
            StatusKey::Range((response.status / 100) as u8),
            StatusKey::Default,
        ]
        .into_iter()
        .find_map(|k| op.responses.get(&k).map(|r| (k, r)))?;
        for header in documented.headers.iter().filter(|h| h.required) {
            if response.header(&header.name).is_none() {
                let detail = format!(
                    "{} {} answered {} without the required header {}",
                    op.method, op.path, response.status, header.name
                );
                let sig = fnv1a(header.name.to_ascii_lowercase().as_bytes());
                return Some(Finding::new(
                    FindingKind::SchemaViolation,
                    &op.id,
                    Some(response.status),
                    sig,
                    detail,
                ));
            }
        }
        if response.truncated || response.body.is_empty() {
            return None;
        }
        let content_type = response.header("content-type").unwrap_or("");
        if !is_json(content_type) {
            return None;
        }
        let media = documented.content.iter().find(|m| is_json(&m.media_type))?;
        let body = match json {
            Some(v) => v,
            None => {
                // Rare: parse again only to say what is wrong with the body.
                let e = serde_json::from_slice::<serde_json::Value>(&response.body)
                    .err()
                    .map_or_else(|| "unreadable".to_string(), |e| e.to_string());
                let detail = format!(
                    "{} {} answered {} with Content-Type {content_type} but a body that is not JSON ({e})",
                    op.method, op.path, response.status
                );
                return Some(Finding::new(
                    FindingKind::SchemaViolation,
                    &op.id,
                    Some(response.status),
                    1,
                    detail,
                ));
            }
        };
        let validator =
            self.validator((op.id.clone(), status_key, media.media_type.clone()), media)?;
        let error = validator.iter_errors(body).next()?;
        let location = error.schema_path().to_string();
        let detail = format!(
            "{} {} answered {} with a body that violates its schema at {}: {}",
            op.method,
            op.path,
            response.status,
            if error.instance_path().to_string().is_empty() {
                "/".to_string()
            } else {
                error.instance_path().to_string()
            },
            truncate(&error.to_string(), 200)
        );
        Some(Finding::new(
            FindingKind::SchemaViolation,
            &op.id,
            Some(response.status),
            fnv1a(location.as_bytes()),
            detail,
        ))
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::spec::{HeaderSpec, Method, Response, SpecVersion};
    use crate::transport::FakeTransport;

    fn model() -> Arc<Model> {
        let response = Response {
            description: String::new(),
            content: vec![MediaType {
                media_type: "application/json".into(),
                schema: json!({"$ref": "urn:shrike:defs#/$defs/Order"}),
                examples: vec![],
            }],
            headers: vec![HeaderSpec {
                name: "X-Request-Id".into(),
                required: true,
                schema: json!({}),
            }],
            links: vec![],
        };
        let mut responses = BTreeMap::new();
        responses.insert(StatusKey::Code(200), response);
        let op = Operation {
            id: OperationId("getOrder".into()),
            method: Method::Get,
            path: "/orders/{id}".into(),
            tags: vec![],
            summary: None,
            deprecated: false,
            parameters: vec![],
            request_body: None,
            responses,
            security: vec![],
        };
        Arc::new(Model {
            path: "x".into(),
            version: SpecVersion::OpenApi31,
            title: String::new(),
            servers: vec![],
            operations: vec![op],
            security_schemes: BTreeMap::new(),
            defs: json!({"$id": "urn:shrike:defs", "$defs": {"Order": {
                "type": "object", "required": ["id", "total"],
                "properties": {"id": {"type": "integer"}, "total": {"type": "number"}}}}}),
            warnings: vec![],
        })
    }

    fn resp(status: u16, body: &str, with_header: bool) -> HttpResponse {
        let mut r = FakeTransport::response(status, body);
        if with_header {
            r.headers.push(("x-request-id".into(), "1".into()));
        }
        r
    }

    fn req() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path_and_query: "/orders/1".into(),
            headers: vec![],
            body: vec![],
        }
    }

    #[test]
    fn valid_bodies_pass_and_violations_are_found() {
        let model = model();
        let op = model.operations[0].clone();
        let mut check = SchemaCheck::new(model);
        assert!(
            check
                .check(&op, &req(), &resp(200, r#"{"id":1,"total":2.5}"#, true))
                .is_none()
        );
        let missing = check
            .check(&op, &req(), &resp(200, r#"{"id":1}"#, true))
            .unwrap();
        assert_eq!(missing.kind, FindingKind::SchemaViolation);
        let wrong_type = check
            .check(&op, &req(), &resp(200, r#"{"id":"1","total":2}"#, true))
            .unwrap();
        assert_ne!(
            missing.signature, wrong_type.signature,
            "different violations, different signatures"
        );
        let same = check
            .check(&op, &req(), &resp(200, r#"{"id":2}"#, true))
            .unwrap();
        assert_eq!(
            missing.signature, same.signature,
            "same violation, same signature"
        );
        assert!(
            check
                .check(&op, &req(), &resp(200, "{not json", true))
                .is_some()
        );
        let header = check
            .check(&op, &req(), &resp(200, r#"{"id":1,"total":2.5}"#, false))
            .unwrap();
        assert!(header.detail.contains("X-Request-Id"));
    }

    #[test]
    fn undocumented_statuses_and_non_json_are_not_judged() {
        let model = model();
        let op = model.operations[0].clone();
        let mut check = SchemaCheck::new(model);
        assert!(
            check
                .check(&op, &req(), &resp(404, r#"{"x":1}"#, false))
                .is_none()
        );
        let mut text = resp(200, "hello", true);
        text.headers[0].1 = "text/plain".into();
        assert!(check.check(&op, &req(), &text).is_none());
    }
}
