//! Reports of a finished run, one module per format: [`json`], [`junit`] (one test case per
//! operation), [`sarif`] (2.1.0, for code-scanning dashboards) and [`console`] (the summary a person
//! reads). Each file writer has the same shape: `render(&ReportInput) -> String`, a pure function
//! tested against a golden file, and `write_report(path, &ReportInput)`, which writes atomically.
//!
//! This module holds the shared input ([`ReportInput`], [`ReportFinding`]) and helpers: the atomic
//! write, [`write_requested`] (every report the settings ask for), header redaction, body excerpts
//! and the order findings are listed in.

pub mod console;
pub mod coverage;
pub mod json;
pub mod junit;
pub mod sarif;

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use percent_encoding::percent_decode_str;

use crate::config::ReportPaths;
use crate::http::{HttpRequest, HttpResponse};
use crate::oracle::{Finding, FindingKind};
use crate::spec::{Method, Operation, OperationId};

/// Bodies in reports are cut to this many bytes.
pub const BODY_EXCERPT_MAX: usize = 2048;

/// The replacement for secret header values.
pub use crate::fsutil::write_atomic;
pub use crate::http::is_secret_header;

pub const REDACTED: &str = "[redacted]";

/// One operation of the spec, as reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOperation {
    pub id: OperationId,
    pub method: Method,
    pub path: String,
    /// The 1-based line of the spec file that declares it, when known (see [`locate_operations`]).
    pub spec_line: Option<u32>,
}

impl From<&Operation> for ReportOperation {
    fn from(op: &Operation) -> Self {
        ReportOperation {
            id: op.id.clone(),
            method: op.method,
            path: op.path.clone(),
            spec_line: None,
        }
    }
}

/// One distinct finding with its example exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFinding {
    pub finding: Finding,
    /// How many times the campaign saw this signature.
    pub hits: u64,
    /// The (minimized) request that shows it, when there is one.
    pub request: Option<HttpRequest>,
    /// The response to it, when there was one.
    pub response: Option<HttpResponse>,
    /// The case folder under `cases/`, when it was saved.
    pub case_dir: Option<PathBuf>,
}

/// Everything a report shows about one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub tool_version: String,
    pub spec: PathBuf,
    pub target: String,
    pub seed: u64,
    /// Wall time of the campaign.
    pub duration: Duration,
    pub execs: u64,
    /// Time spent waiting for the rate limit and 429/503 backoff.
    pub throttled: Duration,
    /// The operations the run covered (after `--include`/`--exclude`).
    pub operations: Vec<ReportOperation>,
    pub findings: Vec<ReportFinding>,
    /// The replay of cases saved by earlier runs, when there were any.
    pub regression: Option<crate::cases::regress::RegressionOutcome>,
    /// Which operations got a 2xx, and why the others did not (a campaign's reports have it).
    pub coverage: Option<coverage::Coverage>,
}

impl ReportInput {
    /// Findings in report order: most severe kind first, then by signature (stable across runs).
    pub fn sorted_findings(&self) -> Vec<&ReportFinding> {
        let mut findings: Vec<&ReportFinding> = self.findings.iter().collect();
        findings.sort_by(|a, b| {
            (severity(a.finding.kind), &a.finding.signature)
                .cmp(&(severity(b.finding.kind), &b.finding.signature))
        });
        findings
    }

    /// `(kind, distinct findings, total hits)` for each kind present, in [`FindingKind::ALL`] order.
    pub fn counts(&self) -> Vec<(FindingKind, usize, u64)> {
        FindingKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let of_kind = self.findings.iter().filter(|f| f.finding.kind == kind);
                let (n, hits) =
                    of_kind.fold((0, 0u64), |(n, h), f| (n + 1, h.saturating_add(f.hits)));
                (n > 0).then_some((kind, n, hits))
            })
            .collect()
    }

    /// The operation a finding is about, when it is among [`ReportInput::operations`].
    pub fn operation(&self, id: &OperationId) -> Option<&ReportOperation> {
        self.operations.iter().find(|op| &op.id == id)
    }
}

/// Lower is more severe: a crash, then server errors and hangs, then contract problems.
pub fn severity(kind: FindingKind) -> u8 {
    match kind {
        FindingKind::TargetCrash => 0,
        FindingKind::ServerError => 1,
        FindingKind::Timeout => 2,
        FindingKind::ConnectionDropped => 3,
        FindingKind::SchemaViolation => 4,
        FindingKind::SlowResponse => 5,
        FindingKind::UndocumentedStatus => 6,
        // Security and lifecycle findings rank with server errors: each is a proven flaw.
        FindingKind::BrokenAuthentication
        | FindingKind::BrokenObjectAuthorization
        | FindingKind::BrokenFunctionAuthorization
        | FindingKind::Injection => 1,
        FindingKind::MassAssignment | FindingKind::DataExposure | FindingKind::UseAfterDelete => 2,
        FindingKind::CreateNotReadable
        | FindingKind::LeakAfterFailedCreate
        | FindingKind::UpdateNotReadBack
        | FindingKind::UserEnumeration
        | FindingKind::CorsMisconfiguration => 4,
        FindingKind::MissingRateLimit | FindingKind::InformationDisclosure => 5,
    }
}

/// The headers with secret values replaced by [`REDACTED`].
pub fn redact_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let v = if is_secret_header(k) {
                REDACTED
            } else {
                v.as_str()
            };
            (k.clone(), v.to_string())
        })
        .collect()
}

/// The path and query with the values of secret-looking query parameters (`api_key`,
/// `access_token`, `key`, ...: the names [`is_secret_header`] flags, and `key`) replaced by [`REDACTED`].
pub fn redact_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_string();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((name, _)) if is_secret_param(&percent_decode_str(name).decode_utf8_lossy()) => {
                format!("{name}={REDACTED}")
            }
            _ => param.to_string(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

fn is_secret_param(name: &str) -> bool {
    is_secret_header(name) || name.eq_ignore_ascii_case("key")
}

/// The first [`BODY_EXCERPT_MAX`] bytes of a body as text (invalid UTF-8 replaced, never cut inside
/// a character), and whether anything was left out.
pub fn body_excerpt(body: &[u8]) -> (String, bool) {
    // A few bytes more than the limit, so a character straddling it is decoded whole, then dropped.
    let window = &body[..body.len().min(BODY_EXCERPT_MAX + 4)];
    let mut text = String::from_utf8_lossy(window).into_owned();
    let mut cut = body.len() > BODY_EXCERPT_MAX;
    if text.len() > BODY_EXCERPT_MAX {
        let mut end = BODY_EXCERPT_MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        cut = true;
    }
    (text, cut)
}

/// Fills in [`ReportOperation::spec_line`] from the spec's text: the line of the operation's
/// `operationId` when the spec states one, else the line of its method key under its path key, else
/// the path key's line. A line-based scan that works for YAML and pretty-printed JSON; it leaves
/// `None` where it finds nothing.
pub fn locate_operations(spec_text: &str, ops: &mut [ReportOperation]) {
    let lines: Vec<(&str, &str)> = spec_text
        .lines()
        .map(|l| mapping_entry(l.trim()).unwrap_or(("", "")))
        .collect();
    let line_no = |i: usize| u32::try_from(i + 1).ok();
    for op in ops {
        let by_id = lines
            .iter()
            .position(|&(k, v)| k == "operationId" && v == op.id.as_str());
        let by_path = || {
            let p = lines.iter().position(|&(k, _)| k == op.path)?;
            let method = op.method.as_str().to_ascii_lowercase();
            let under = lines[p + 1..]
                .iter()
                .take_while(|(k, _)| !k.starts_with('/'))
                .position(|&(k, _)| k == method);
            Some(under.map_or(p, |m| p + 1 + m))
        };
        op.spec_line = by_id.or_else(by_path).and_then(line_no);
    }
}

/// Splits a trimmed YAML or JSON line `key: value` / `"key": "value",` into unquoted key and value.
fn mapping_entry(line: &str) -> Option<(&str, &str)> {
    let (key, value) = match line.chars().next()? {
        q @ ('"' | '\'') => {
            let rest = &line[1..];
            let end = rest.find(q)?;
            let after = rest[end + 1..].trim_start().strip_prefix(':')?;
            (&rest[..end], after)
        }
        _ => line.split_once(':')?,
    };
    Some((key.trim(), unquote(value)))
}

/// `"x",` → `x`; `'x'` → `x`; `x` → `x`.
fn unquote(s: &str) -> &str {
    let s = s.trim().trim_end_matches(',').trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the {format} report to {}: {source}", path.display())]
pub struct ReportError {
    pub format: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Writes every report `paths` asks for (JSON, JUnit, SARIF) and returns the paths written. Stops at
/// the first failure, naming the format and path.
pub fn write_requested(
    paths: &ReportPaths,
    input: &ReportInput,
) -> Result<Vec<PathBuf>, ReportError> {
    type Writer = fn(&Path, &ReportInput) -> io::Result<()>;
    let wanted: [(&'static str, &Option<PathBuf>, Writer); 3] = [
        ("JSON", &paths.json, json::write_report),
        ("JUnit", &paths.junit, junit::write_report),
        ("SARIF", &paths.sarif, sarif::write_report),
    ];
    let mut written = Vec::new();
    for (format, path, write) in wanted {
        let Some(path) = path else { continue };
        write(path, input).map_err(|source| ReportError {
            format,
            path: path.clone(),
            source,
        })?;
        written.push(path.clone());
    }
    Ok(written)
}

/// Seconds with millisecond precision, as reports print durations.
pub(crate) fn seconds(d: Duration) -> f64 {
    d.as_millis() as f64 / 1000.0
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests;
