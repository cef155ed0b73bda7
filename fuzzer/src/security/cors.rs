//! The CORS check: a foreign `Origin` reflected in `Access-Control-Allow-Origin` together with
//! `Access-Control-Allow-Credentials: true` (any web site may then make credentialed calls and
//! read the answers), or `*` with credentials.
//!
//! [`CorsProber`] re-sends a few calls of the campaign with `Origin: `[`PROBE_ORIGIN`] and as a
//! preflight `OPTIONS` (through the renderer's [`METHOD_OVERRIDE`]); [`CorsCheck`] judges every
//! response. The origin is under `.invalid` (RFC 2606), which no real site can own, so its
//! reflection is never an allow-list at work. One finding per API, not per operation.

use std::collections::HashSet;

use crate::campaign::runner::{ResponseCheck, SeqRun};
use crate::http::{HttpRequest, HttpResponse};
use crate::input::render::METHOD_OVERRIDE;
use crate::input::{Call, Node, ParamValue, RequestSeq};
use crate::oracle::errsig::fnv1a;
use crate::oracle::{Finding, FindingKind, Signature};
use crate::probe::Prober;
use crate::spec::{Model, Operation, OperationId, ParamLocation};

/// The foreign origin the probes send.
pub const PROBE_ORIGIN: &str = "https://shrike-probe.invalid";
/// Operations probed per campaign (a misconfiguration is usually global; a few calls show it).
const MAX_OPERATIONS: usize = 4;
/// The pseudo operation API-wide findings are signed with.
pub const API_WIDE: &str = "api";

/// True for an origin whose host is under the reserved `.invalid` top-level domain.
fn is_foreign(origin: &str) -> bool {
    let host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    let host = host.split(['/', ':']).next().unwrap_or("");
    host.to_ascii_lowercase().ends_with(".invalid")
}

/// Judges each response for a credentialed foreign or wildcard `Access-Control-Allow-Origin`.
#[derive(Debug, Default)]
pub struct CorsCheck;

impl ResponseCheck for CorsCheck {
    fn check(
        &mut self,
        op: &Operation,
        request: &HttpRequest,
        response: &HttpResponse,
    ) -> Option<Finding> {
        let credentials = response
            .header("Access-Control-Allow-Credentials")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let allowed = response.header("Access-Control-Allow-Origin")?.trim();
        if !credentials {
            return None;
        }
        let what = if allowed == "*" {
            "`Access-Control-Allow-Origin: *`".to_owned()
        } else {
            let origin = request.header("Origin").filter(|o| is_foreign(o))?;
            if allowed != origin.trim() {
                return None;
            }
            format!("the foreign origin {origin} reflected in `Access-Control-Allow-Origin`")
        };
        let detail = format!(
            "{} {} answers {} {what} with `Access-Control-Allow-Credentials: true`: any web site can make credentialed calls and read the answers",
            request.method, op.path, response.status
        );
        let sig = fnv1a(b"cors-credentials");
        let mut finding = Finding::new(
            FindingKind::CorsMisconfiguration,
            &op.id,
            Some(response.status),
            sig,
            detail,
        );
        finding.signature = Signature::new(
            FindingKind::CorsMisconfiguration,
            &OperationId(API_WIDE.into()),
            None,
            sig,
        );
        Some(finding)
    }
}

/// Re-sends a few calls with a foreign `Origin`, and as preflights.
pub struct CorsProber {
    model: std::sync::Arc<Model>,
    probed: HashSet<OperationId>,
}

impl CorsProber {
    pub fn new(model: std::sync::Arc<Model>) -> Self {
        CorsProber {
            model,
            probed: HashSet::new(),
        }
    }
}

/// `call` with header parameter `name` set to `value` (replacing one already there).
fn with_header(mut call: Call, name: &str, value: &str) -> Call {
    call.params
        .retain(|p| !(p.location == ParamLocation::Header && p.name.eq_ignore_ascii_case(name)));
    call.params.push(ParamValue {
        name: name.to_owned(),
        location: ParamLocation::Header,
        value: Some(Node::string(value)),
    });
    call
}

/// The call with the probe origin, and the preflight `OPTIONS` for it.
pub fn probes(prefix: &[Call], call: &Call, op: &Operation) -> [RequestSeq; 2] {
    let simple = with_header(call.clone(), "Origin", PROBE_ORIGIN);
    let mut preflight = with_header(call.clone(), METHOD_OVERRIDE, "OPTIONS");
    preflight.body = None;
    preflight = with_header(preflight, "Origin", PROBE_ORIGIN);
    preflight = with_header(
        preflight,
        "Access-Control-Request-Method",
        op.method.as_str(),
    );
    preflight = with_header(
        preflight,
        "Access-Control-Request-Headers",
        "authorization, content-type",
    );
    let seq = |last: Call| {
        let mut calls = prefix.to_vec();
        calls.push(last);
        RequestSeq::new(calls)
    };
    [seq(simple), seq(preflight)]
}

impl Prober for CorsProber {
    fn name(&self) -> &'static str {
        "cors"
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        _rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let mut out = Vec::new();
        for exchange in &run.exchanges {
            if self.probed.len() >= MAX_OPERATIONS {
                break;
            }
            let (Ok(response), Some(call)) = (&exchange.outcome, seq.calls.get(exchange.call))
            else {
                continue;
            };
            let Some(op) = self.model.operations.get(exchange.op) else {
                continue;
            };
            if !(200..300).contains(&response.status) || !self.probed.insert(op.id.clone()) {
                continue;
            }
            out.extend(probes(&seq.calls[..exchange.call], call, op));
        }
        out
    }
}

#[cfg(test)]
#[path = "cors_tests.rs"]
mod tests;
