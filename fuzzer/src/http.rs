//! Plain HTTP request and response values passed between `input::render`, `transport` and the oracles.
//!
//! They are owned, transport-neutral data: the renderer produces an [`HttpRequest`], a transport sends it
//! and returns an [`HttpResponse`] (or a [`TransportError`] kind the oracles turn into findings).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A concrete request, ready to send to the target given to the transport.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HttpRequest {
    /// Upper-case method token, e.g. `GET`; a mutator may use an unusual one.
    pub method: String,
    /// Path and query, already percent-encoded, starting with `/`, the target's base path included
    /// (the renderer adds it; the transport sends this as is).
    pub path_and_query: String,
    /// Headers in the order to send them; the transport adds `Host`, `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
    /// The body as bytes (empty: no body).
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_lookup(&self.headers, name)
    }
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names as received (case preserved), in order.
    pub headers: Vec<(String, String)>,
    /// The body, truncated to the transport's size limit.
    pub body: Vec<u8>,
    /// True when the body was cut at the size limit.
    pub truncated: bool,
    /// Time from the first byte sent to the last byte received.
    pub latency: Duration,
}

impl HttpResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_lookup(&self.headers, name)
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// How an exchange failed without a response. These are results (possible findings), not errors of
/// Shrike itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransportError {
    /// No connection could be made (refused, unreachable).
    ConnectFailed,
    /// The connection was reset or closed before a full response arrived.
    ConnectionDropped,
    /// No complete response within the per-request timeout.
    Timeout,
    /// The bytes received are not a valid HTTP/1.1 response.
    Malformed,
}

fn header_lookup<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// True for headers whose values are credentials: `Authorization`, `Cookie`, `Set-Cookie`, and
/// names that mention a key, token, secret, password, session or auth (`X-Api-Key`, `X-Auth-Token`).
pub fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "cookie" | "set-cookie")
        || [
            "auth", "api-key", "apikey", "api_key", "token", "secret", "password", "session",
        ]
        .iter()
        .any(|word| n.contains(word))
}
