//! A transport that answers from a function: unit tests of the executor, oracles and minimizer use
//! it to script a target's behaviour without sockets.

use std::time::Duration;

use super::Transport;
use crate::http::{HttpRequest, HttpResponse, TransportError};

type Handler = Box<dyn FnMut(&HttpRequest) -> Result<HttpResponse, TransportError>>;

/// Calls a closure for every request and records what was sent.
pub struct FakeTransport {
    handler: Handler,
    pub sent: Vec<HttpRequest>,
}

impl FakeTransport {
    pub fn new(
        handler: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'static,
    ) -> Self {
        FakeTransport {
            handler: Box::new(handler),
            sent: Vec::new(),
        }
    }

    /// A response with a JSON (or any) body and no extra headers.
    pub fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            truncated: false,
            latency: Duration::from_micros(100),
        }
    }
}

impl Transport for FakeTransport {
    fn send(&mut self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.push(req.clone());
        (self.handler)(req)
    }
}
