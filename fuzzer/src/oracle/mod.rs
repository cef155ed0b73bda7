//! Oracles: pure functions from one exchange (operation, request, response or transport error) to
//! findings. They know nothing of LibAFL; the campaign turns their findings into objectives.

pub mod errsig;
pub mod families;
mod finding;
pub mod latency;
mod schema_check;

use std::time::Duration;

pub use finding::{Finding, FindingKind, Signature};
pub use schema_check::SchemaCheck;

use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::spec::Operation;

/// Which undocumented status codes count as findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UndocumentedPolicy {
    /// Never report them.
    Off,
    /// Report undocumented 2xx and 3xx (the API did something the spec does not promise) but not
    /// 4xx, which frameworks add on their own (405, 415, 413...) and which mostly are noise. A 5xx is
    /// already a server-error finding.
    #[default]
    Surprises,
    /// Report every undocumented status, 4xx included.
    All,
}

/// Oracle settings taken from the campaign's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleConfig {
    pub undocumented: UndocumentedPolicy,
    /// A response slower than this is a slow-response candidate.
    pub slow: Duration,
}

impl Default for OracleConfig {
    fn default() -> Self {
        OracleConfig {
            undocumented: UndocumentedPolicy::Surprises,
            slow: Duration::from_millis(1000),
        }
    }
}

/// What one exchange produced.
pub type Outcome = Result<HttpResponse, TransportError>;

/// Runs the single-exchange oracles that need no schema: 5xx, undocumented status, slowness and
/// transport failures. `target_was_up` tells a refused connection (a crash) from a target that was
/// never there.
pub fn check_exchange(
    op: &Operation,
    req: &HttpRequest,
    outcome: &Outcome,
    config: &OracleConfig,
    target_was_up: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    match outcome {
        Ok(resp) => {
            if resp.status >= 500 {
                let sig = errsig::error_signature(&resp.body, request_text(req).as_bytes());
                let detail = format!("{} {} answered {}", op.method, op.path, resp.status);
                findings.push(Finding::new(
                    FindingKind::ServerError,
                    &op.id,
                    Some(resp.status),
                    sig,
                    detail,
                ));
            } else if req.method == op.method.as_str()
                && is_reported_undocumented(op, resp.status, config.undocumented)
            {
                // (A request sent with another method, e.g. a CORS preflight `OPTIONS`, is not
                // held to the operation's documented statuses.)
                let detail = format!(
                    "{} {} answered {}, which the spec does not document for this operation",
                    op.method, op.path, resp.status
                );
                findings.push(Finding::new(
                    FindingKind::UndocumentedStatus,
                    &op.id,
                    Some(resp.status),
                    0,
                    detail,
                ));
            }
            if resp.latency > config.slow {
                let detail = format!(
                    "{} {} took {} ms (limit {} ms)",
                    op.method,
                    op.path,
                    resp.latency.as_millis(),
                    config.slow.as_millis()
                );
                findings.push(Finding::new(
                    FindingKind::SlowResponse,
                    &op.id,
                    Some(resp.status),
                    0,
                    detail,
                ));
            }
        }
        Err(error) => {
            let (kind, detail) = match error {
                TransportError::Timeout => (FindingKind::Timeout, "no response within the timeout"),
                TransportError::ConnectionDropped | TransportError::Malformed => (
                    FindingKind::ConnectionDropped,
                    "the connection was dropped before a complete response",
                ),
                TransportError::ConnectFailed if target_was_up => (
                    FindingKind::TargetCrash,
                    "the target stopped accepting connections",
                ),
                TransportError::ConnectFailed => return findings,
            };
            let detail = format!("{} {}: {detail}", op.method, op.path);
            findings.push(Finding::new(kind, &op.id, None, 0, detail));
        }
    }
    findings
}

fn is_reported_undocumented(op: &Operation, status: u16, policy: UndocumentedPolicy) -> bool {
    let reported_class = match policy {
        UndocumentedPolicy::Off => false,
        UndocumentedPolicy::Surprises => (200..400).contains(&status),
        UndocumentedPolicy::All => true,
    };
    reported_class && !op.responses.is_empty() && op.response_for(status).is_none()
}

/// The parts of a request whose words, echoed in a response, are data rather than message.
pub fn request_text(req: &HttpRequest) -> String {
    let mut text = String::with_capacity(req.path_and_query.len() + req.body.len());
    text.push_str(&req.path_and_query);
    text.push(' ');
    text.push_str(&String::from_utf8_lossy(&req.body));
    for (_, v) in &req.headers {
        text.push(' ');
        text.push_str(v);
    }
    text
}

#[cfg(test)]
mod tests;
