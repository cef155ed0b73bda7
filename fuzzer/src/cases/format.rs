//! The on-disk case format (`case.json`), versioned: everything `shrike repro` needs to replay a
//! finding, with secrets redacted.

use serde::{Deserialize, Serialize};

use crate::campaign::runner::Exchange;
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::input::RequestSeq;
use crate::oracle::{Finding, FindingKind, Signature};
use crate::spec::OperationId;

/// Bump when the format changes incompatibly; `repro` refuses newer versions with a clear error.
pub const FORMAT_VERSION: u32 = 1;

/// How much of a response body a case keeps.
pub const BODY_EXCERPT: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFile {
    pub format_version: u32,
    pub shrike_version: String,
    pub kind: FindingKind,
    pub signature: Signature,
    pub operation: OperationId,
    pub status: Option<u16>,
    pub detail: String,
    pub error_sig: String,
    pub seed: u64,
    pub spec: SpecRef,
    pub target: String,
    /// The auth configuration the case ran with: a path and identity names, never secrets.
    pub auth: Option<AuthRef>,
    /// How many times the signature was hit in the campaign.
    pub hits: u64,
    /// Headers the campaign added to every request (`--header`, config `header`), secret values
    /// redacted; a replay resends the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The campaign's slow-response threshold, so a replay judges latency the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_ms: Option<u64>,
    /// Seconds from the start of the campaign to the first hit.
    #[serde(default)]
    pub found_after_s: f64,
    /// The abstract sequence: operations, values and references.
    pub sequence: RequestSeq,
    /// The requests as sent and what came back, secrets redacted.
    pub exchanges: Vec<ConcreteExchange>,
    /// What minimization did (absent when the case was not minimized).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimized: Option<Minimization>,
}

/// The size of a case before and after minimization: calls and request body bytes as sent, and
/// the replays it took. When a case is minimized again, `*_before` keep the original sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minimization {
    pub calls_before: usize,
    pub calls_after: usize,
    pub body_bytes_before: usize,
    pub body_bytes_after: usize,
    /// Replays the (last) minimization used.
    pub replays: usize,
    /// True when its replay or time bound stopped it before it was done.
    pub bounded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRef {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRef {
    pub path: String,
    pub identities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcreteExchange {
    pub call: usize,
    pub operation: OperationId,
    pub request: ConcreteRequest,
    pub response: Option<ConcreteResponse>,
    /// Set when no response came back.
    pub error: Option<TransportError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcreteRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The body as UTF-8 (lossy) when it is text.
    pub body: String,
    /// The body in base64 when it is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcreteResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body_excerpt: String,
    pub latency_ms: f64,
}

/// Header names never written to a file: credentials and session state, and the names the auth
/// configuration sets.
pub fn is_secret_header(name: &str, extra: &[String]) -> bool {
    crate::http::is_secret_header(name) || extra.iter().any(|e| e.eq_ignore_ascii_case(name))
}

pub const REDACTED: &str = "[redacted]";

pub fn redact(headers: &[(String, String)], extra: &[String]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let v = if is_secret_header(k, extra) {
                REDACTED.to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

impl ConcreteRequest {
    pub fn from_request(req: &HttpRequest, secret_headers: &[String]) -> Self {
        let (body, body_base64) = match std::str::from_utf8(&req.body) {
            Ok(text) => (text.to_string(), None),
            Err(_) => {
                use base64::Engine;
                (
                    String::new(),
                    Some(base64::engine::general_purpose::STANDARD.encode(&req.body)),
                )
            }
        };
        ConcreteRequest {
            method: req.method.clone(),
            path: req.path_and_query.clone(),
            headers: redact(&req.headers, secret_headers),
            body,
            body_base64,
        }
    }

    /// The body bytes as they were sent.
    pub fn body_bytes(&self) -> Vec<u8> {
        use base64::Engine;
        match &self.body_base64 {
            Some(b64) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default(),
            None => self.body.as_bytes().to_vec(),
        }
    }
}

impl ConcreteResponse {
    pub fn from_response(resp: &HttpResponse, secret_headers: &[String]) -> Self {
        let cut = &resp.body[..resp.body.len().min(BODY_EXCERPT)];
        ConcreteResponse {
            status: resp.status,
            headers: redact(&resp.headers, secret_headers),
            body_excerpt: String::from_utf8_lossy(cut).into_owned(),
            latency_ms: resp.latency.as_secs_f64() * 1000.0,
        }
    }
}

impl ConcreteExchange {
    pub fn from_exchange(
        ex: &Exchange,
        operation: &OperationId,
        secret_headers: &[String],
    ) -> Self {
        let (response, error) = match &ex.outcome {
            Ok(resp) => (
                Some(ConcreteResponse::from_response(resp, secret_headers)),
                None,
            ),
            Err(e) => (None, Some(*e)),
        };
        ConcreteExchange {
            call: ex.call,
            operation: operation.clone(),
            request: ConcreteRequest::from_request(&ex.request, secret_headers),
            response,
            error,
        }
    }
}

impl CaseFile {
    /// Request body bytes of every exchange, as sent.
    pub fn body_bytes(&self) -> usize {
        self.exchanges
            .iter()
            .map(|e| e.request.body_bytes().len())
            .sum()
    }

    /// Replaces the sequence and exchanges with smaller ones and records the sizes (the first
    /// `before` sizes win, so a case minimized twice still shows where it started).
    pub fn replace_minimized(
        &mut self,
        sequence: RequestSeq,
        exchanges: Vec<ConcreteExchange>,
        replays: usize,
        bounded: bool,
    ) {
        let (calls_before, body_bytes_before) = match self.minimized {
            Some(m) => (m.calls_before, m.body_bytes_before),
            None => (self.sequence.calls.len(), self.body_bytes()),
        };
        self.sequence = sequence;
        self.exchanges = exchanges;
        self.minimized = Some(Minimization {
            calls_before,
            calls_after: self.sequence.calls.len(),
            body_bytes_before,
            body_bytes_after: self.body_bytes(),
            replays,
            bounded,
        });
    }

    /// The finding this case records.
    pub fn finding(&self) -> Finding {
        Finding {
            kind: self.kind,
            operation: self.operation.clone(),
            status: self.status,
            error_sig: u64::from_str_radix(&self.error_sig, 16).unwrap_or(0),
            detail: self.detail.clone(),
            signature: self.signature.clone(),
            slow_limit_ms: self
                .slow_ms
                .filter(|_| self.kind == FindingKind::SlowResponse),
        }
    }
}
