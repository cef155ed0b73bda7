//! The disclosure check: responses that tell an attacker what runs behind the API — a `Server`
//! header with a version (`nginx/1.18.0`), framework banners (`X-Powered-By`, `X-AspNet-Version`,
//! `X-AspNetMvc-Version`), and stack traces in bodies (see [`crate::oracle::families`]).
//!
//! One finding per header name or trace family for the whole API (signed with the pseudo
//! operation [`API_WIDE`]); the finding names the operation where it was first seen.

use std::collections::BTreeSet;

use super::cors::API_WIDE;
use crate::campaign::runner::SeqRun;
use crate::http::HttpResponse;
use crate::input::RequestSeq;
use crate::oracle::errsig::fnv1a;
use crate::oracle::families::{ErrorFamily, classify};
use crate::oracle::{Finding, FindingKind, Signature};
use crate::probe::{SeqFinding, SeqOracle};
use crate::spec::{Model, OperationId};

/// Headers whose mere presence names the framework and usually its version.
const BANNERS: [&str; 3] = ["X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"];

/// True when a `Server` value carries a version: a product token followed by `/` and a digit
/// (`Apache/2.4.41 (Ubuntu)`, `Werkzeug/3.0.1 Python/3.12`), not a bare name (`nginx`).
fn has_version(server: &str) -> bool {
    server
        .split('/')
        .skip(1)
        .any(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// What one response discloses: (what, evidence) pairs.
pub fn disclosed(response: &HttpResponse) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(server) = response.header("Server").filter(|s| has_version(s)) {
        out.push(("header Server".to_owned(), format!("Server: {server}")));
    }
    for name in BANNERS {
        if let Some(value) = response.header(name).filter(|v| !v.trim().is_empty()) {
            out.push((format!("header {name}"), format!("{name}: {value}")));
        }
    }
    if classify(&response.body) == Some(ErrorFamily::StackTrace) {
        let text = String::from_utf8_lossy(&response.body);
        let excerpt: String = text.chars().take(120).collect();
        out.push(("a stack trace".to_owned(), excerpt));
    }
    out
}

/// Reports version banners and stack traces (see the module docs).
pub struct DisclosureOracle {
    model: std::sync::Arc<Model>,
}

impl DisclosureOracle {
    pub fn new(model: std::sync::Arc<Model>) -> Self {
        DisclosureOracle { model }
    }
}

impl SeqOracle for DisclosureOracle {
    fn name(&self) -> &'static str {
        "information-disclosure"
    }

    fn check(&self, _seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (at, exchange) in run.exchanges.iter().enumerate() {
            let (Ok(response), Some(op)) =
                (&exchange.outcome, self.model.operations.get(exchange.op))
            else {
                continue;
            };
            for (what, evidence) in disclosed(response) {
                if !seen.insert(what.clone()) {
                    continue;
                }
                let sig = fnv1a(what.to_ascii_lowercase().as_bytes());
                let detail = format!(
                    "{} {} answered {} with {what} that discloses the implementation: {evidence}",
                    op.method, op.path, response.status
                );
                let mut finding = Finding::new(
                    FindingKind::InformationDisclosure,
                    &op.id,
                    Some(response.status),
                    sig,
                    detail,
                );
                finding.signature = Signature::new(
                    FindingKind::InformationDisclosure,
                    &OperationId(API_WIDE.into()),
                    None,
                    sig,
                );
                out.push(SeqFinding { finding, at });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::campaign::runner::Exchange;
    use crate::http::HttpRequest;
    use crate::input::test_model::test_model;

    fn response(headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status: 500,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            truncated: false,
            latency: Duration::ZERO,
        }
    }

    fn run(responses: Vec<HttpResponse>) -> SeqRun {
        SeqRun {
            exchanges: responses
                .into_iter()
                .enumerate()
                .map(|(i, r)| Exchange {
                    call: i,
                    op: i,
                    request: HttpRequest {
                        method: "GET".into(),
                        path_and_query: "/".into(),
                        headers: Vec::new(),
                        body: Vec::new(),
                    },
                    outcome: Ok(r),
                })
                .collect(),
            ..SeqRun::default()
        }
    }

    #[test]
    fn banners_and_traces_are_reported_once_each_for_the_api() {
        let oracle = DisclosureOracle::new(std::sync::Arc::new(test_model()));
        let leaky = response(
            &[
                ("Server", "Werkzeug/3.0.1 Python/3.12"),
                ("X-Powered-By", "Express"),
            ],
            "Traceback (most recent call last):\n  File \"app.py\", line 3",
        );
        let found = oracle.check(&RequestSeq::default(), &run(vec![leaky.clone(), leaky]));
        let sigs: Vec<&str> = found.iter().map(|f| f.finding.signature.as_str()).collect();
        assert_eq!(sigs.len(), 3, "{sigs:?}");
        assert!(
            sigs.iter()
                .all(|s| s.starts_with("information-disclosure.api.none."))
        );
        assert!(found.iter().all(|f| f.at == 0));
        assert!(found[0].finding.detail.contains("Werkzeug/3.0.1"));
    }

    #[test]
    fn bare_server_names_and_plain_errors_are_not() {
        let oracle = DisclosureOracle::new(std::sync::Arc::new(test_model()));
        let quiet = response(
            &[("Server", "nginx"), ("Content-Type", "application/json")],
            r#"{"error":"internal","message":"attempt to divide by zero"}"#,
        );
        assert!(
            oracle
                .check(&RequestSeq::default(), &run(vec![quiet]))
                .is_empty()
        );
        assert!(has_version("Apache/2.4.41 (Ubuntu)"));
        assert!(!has_version("cloudflare"));
        assert!(!has_version("AmazonS3/"));
    }
}
