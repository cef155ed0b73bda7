//! Sending requests to the target.
//!
//! [`Transport`] is the seam between the fuzz loop and the network: [`TcpTransport`] speaks
//! HTTP/1.1 (over TLS for https) to the one target it was given; [`FakeTransport`] answers from a function, for unit tests.

mod conn;
mod fake;
mod parse;
mod target;
mod tcp;
mod throttle;
mod tls;

use std::time::Duration;

pub use fake::FakeTransport;
pub use target::{Scheme, Target, TargetError};
pub use tcp::TcpTransport;
pub use throttle::{
    Clock, ManualClock, SystemClock, ThrottleConfig, ThrottleStats, Throttled, parse_http_date,
    retry_after,
};
pub use tls::{TlsError, TlsOptions, client_config, load_certificates};

use crate::http::{HttpRequest, HttpResponse, TransportError};

/// Sends one request and waits for its response.
pub trait Transport {
    fn send(&mut self, req: &HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Drops any open connection (after the target restarted, say).
    fn reset(&mut self) {}

    /// Time spent waiting for a rate limit or a 429/503 backoff so far.
    fn throttled(&self) -> Duration {
        Duration::ZERO
    }
}

/// Limits for every exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportConfig {
    /// Whole-exchange timeout, from the first byte written to the last byte read.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Response bodies are cut at this many bytes (the rest is read and discarded, or the
    /// connection closed).
    pub max_body: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            max_body: 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tcp_tests;
