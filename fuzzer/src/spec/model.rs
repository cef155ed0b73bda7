//! The normalised API model every other part of Shrike reads.
//!
//! `spec::load` turns Swagger 2.0, OpenAPI 3.0 and 3.1 documents into this one shape. Schemas are
//! JSON Schema 2020-12 values (see the `schema` module): named and recursive schemas stay behind
//! `$ref`s of the form `"<DEFS_URI>#/$defs/<key>"` that resolve into [`Model::defs`], so a cyclic
//! schema is stored once and never expanded without bound.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The base URI under which every converted named schema lives: `{"$ref": "<DEFS_URI>#/$defs/<key>"}`.
pub const DEFS_URI: &str = "urn:shrike:defs";

/// A stable operation identifier: the spec's `operationId`, or one derived from method and path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OperationId(pub String);

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl OperationId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpecVersion {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

/// A whole API description, normalised.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// The file the spec was loaded from.
    pub path: PathBuf,
    pub version: SpecVersion,
    pub title: String,
    /// Server URLs from `servers` (3.x) or `schemes`/`host`/`basePath` (2.0), variables substituted
    /// with their defaults.
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// `{"$id": DEFS_URI, "$defs": {key: JSON Schema, ...}}`: every named schema an operation refers
    /// to, converted. Register it with the `jsonschema` registry and resolve `$ref`s against it.
    pub defs: Value,
    /// Problems that skipped or degraded part of the spec without failing the load.
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One HTTP operation.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub id: OperationId,
    pub method: Method,
    /// The path template as written in the spec, e.g. `/orders/{orderId}`.
    pub path: String,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub deprecated: bool,
    /// Path-level and operation-level parameters merged (operation wins on name + location).
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    pub responses: BTreeMap<StatusKey, Response>,
    /// The effective security: a list of alternatives, each a map scheme name → scopes. Empty
    /// means no authentication is required (either none declared or `security: []`).
    pub security: Vec<SecurityRequirement>,
}

impl Operation {
    /// The documented response for a status code: exact code, then `4XX`-style range, then `default`.
    pub fn response_for(&self, status: u16) -> Option<&Response> {
        self.responses
            .get(&StatusKey::Code(status))
            .or_else(|| self.responses.get(&StatusKey::Range((status / 100) as u8)))
            .or_else(|| self.responses.get(&StatusKey::Default))
    }

    /// True when the spec requires credentials for this operation.
    pub fn requires_auth(&self) -> bool {
        !self.security.is_empty() && self.security.iter().all(|alt| !alt.is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    Simple,
    Form,
    Matrix,
    Label,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub style: ParamStyle,
    pub explode: bool,
    /// JSON Schema 2020-12 (request view: `readOnly` properties removed).
    pub schema: Value,
    /// `example`/`examples` values from the spec, used as generation seeds.
    pub examples: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    pub required: bool,
    pub content: Vec<MediaType>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MediaType {
    /// e.g. `application/json`, `application/x-www-form-urlencoded`, `multipart/form-data`.
    pub media_type: String,
    /// JSON Schema 2020-12 (request view for bodies, response view for responses).
    pub schema: Value,
    pub examples: Vec<Value>,
}

/// A key of the `responses` map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StatusKey {
    Code(u16),
    /// `2XX` is `Range(2)`.
    Range(u8),
    Default,
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(r) => write!(f, "{r}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub description: String,
    pub content: Vec<MediaType>,
    pub headers: Vec<HeaderSpec>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeaderSpec {
    pub name: String,
    pub required: bool,
    pub schema: Value,
}

/// An OpenAPI 3 `links` entry: how a response feeds another operation.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    /// Target operation, by `operationId` (resolved from `operationRef` where possible).
    pub operation_id: Option<OperationId>,
    /// Target parameter name → runtime expression, e.g. `$response.body#/id`.
    pub parameters: BTreeMap<String, String>,
    pub request_body: Option<Value>,
}

/// Scheme name → required scopes.
pub type SecurityRequirement = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SecurityScheme {
    ApiKey {
        name: String,
        location: ParamLocation,
    },
    /// `scheme` is lower-cased: `basic`, `bearer`, ...
    Http {
        scheme: String,
        bearer_format: Option<String>,
    },
    OAuth2 {
        scopes: Vec<String>,
    },
    OpenIdConnect {
        url: String,
    },
    MutualTls,
}

/// Something Shrike could not handle that did not stop the load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The operation concerned, when there is one.
    pub operation: Option<String>,
    /// JSON pointer into the file (or `file#pointer` for another file).
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation {
            Some(op) => write!(f, "{op}: {} (at {})", self.message, self.pointer),
            None => write!(f, "{} (at {})", self.message, self.pointer),
        }
    }
}
