//! The JSON report (`--json`): every finding with its signature, kind, operation and example
//! request and response (secret headers and query parameters redacted, bodies cut to 2 KiB), and a count per kind.
//!
//! ```json
//! {"version", "spec", "target", "seed", "execs", "duration_s", "throttled_s",
//!  "operations": [{"id", "method", "path", "findings"}],
//!  "findings": [{"signature", "kind", "operation", "status", "detail", "hits", "case_dir",
//!                "request": {"method", "path", "headers", "body"},
//!                "response": {"status", "headers", "body_excerpt", "body_truncated", "latency_ms"}}],
//!  "summary": {"<kind>": <distinct findings>},
//!  "regression": {"still_failing": [signature], "fixed": [signature], "skipped"},
//!  "coverage": {"operations", "with_2xx", "never_2xx": [{"operation", "reason"}],
//!               "series": [[seconds, operations with a 2xx, operation], ...]}}
//! ```
//! `regression` is present only when the output folder held cases from an earlier run.
//! Headers are `[name, value]` pairs in the order sent or received.

use std::io;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::{
    ReportFinding, ReportInput, body_excerpt, redact_headers, redact_query, seconds, write_atomic,
};
use crate::http::{HttpRequest, HttpResponse};

/// Writes the JSON report to `path` atomically.
pub fn write_report(path: &Path, input: &ReportInput) -> io::Result<()> {
    write_atomic(path, render(input).as_bytes())
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn render(input: &ReportInput) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(input))
        .expect("a serde_json::Value always serializes");
    text.push('\n');
    text
}

/// The report as a JSON value.
pub fn to_value(input: &ReportInput) -> Value {
    let operations: Vec<Value> = input
        .operations
        .iter()
        .map(|op| {
            let n = input
                .findings
                .iter()
                .filter(|f| f.finding.operation == op.id)
                .count();
            json!({"id": op.id, "method": op.method.as_str(), "path": op.path, "findings": n})
        })
        .collect();
    let findings: Vec<Value> = input.sorted_findings().into_iter().map(finding).collect();
    let summary: Map<String, Value> = input
        .counts()
        .into_iter()
        .map(|(kind, n, _)| (kind.slug().to_string(), json!(n)))
        .collect();
    let mut report = json!({
        "version": input.tool_version,
        "spec": input.spec.to_string_lossy(),
        "target": input.target,
        "seed": input.seed,
        "execs": input.execs,
        "duration_s": seconds(input.duration),
        "throttled_s": seconds(input.throttled),
        "operations": operations,
        "findings": findings,
        "summary": summary,
    });
    if let (Some(regression), Value::Object(map)) = (&input.regression, &mut report) {
        // Present only when saved cases were replayed: which still fail and which are fixed.
        map.insert("regression".into(), json!(regression));
    }
    if let (Some(coverage), Some(map)) = (&input.coverage, report.as_object_mut()) {
        map.insert("coverage".to_owned(), coverage.to_value());
    }
    report
}

fn finding(f: &ReportFinding) -> Value {
    json!({
        "signature": f.finding.signature,
        "kind": f.finding.kind.slug(),
        "operation": f.finding.operation,
        "status": f.finding.status,
        "detail": f.finding.detail,
        "hits": f.hits,
        "case_dir": f.case_dir.as_ref().map(|p| p.to_string_lossy()),
        "request": f.request.as_ref().map(request),
        "response": f.response.as_ref().map(response),
    })
}

fn request(r: &HttpRequest) -> Value {
    json!({
        "method": r.method,
        "path": redact_query(&r.path_and_query),
        "headers": redact_headers(&r.headers),
        "body": body_excerpt(&r.body).0,
    })
}

fn response(r: &HttpResponse) -> Value {
    let (excerpt, cut) = body_excerpt(&r.body);
    json!({
        "status": r.status,
        "headers": redact_headers(&r.headers),
        "body_excerpt": excerpt,
        "body_truncated": cut || r.truncated,
        "latency_ms": r.latency.as_micros() as f64 / 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;
    use crate::report::tests::assert_golden;

    #[test]
    fn matches_the_golden_file() {
        assert_golden("report.json", &render(&fixture::input()));
    }

    #[test]
    fn is_valid_json_with_the_documented_shape() {
        let v: Value = serde_json::from_str(&render(&fixture::input())).expect("valid JSON");
        assert_eq!(
            v["summary"],
            json!({"server-error": 1, "undocumented-status": 1, "timeout": 1})
        );
        let first = &v["findings"][0];
        assert_eq!(first["kind"], "server-error");
        assert_eq!(
            first["request"]["headers"][1],
            json!(["Authorization", "[redacted]"])
        );
        assert_eq!(first["response"]["latency_ms"], json!(12.345));
        assert_eq!(v["findings"][1]["response"], Value::Null);
        assert!(!render(&fixture::input()).contains("s3cr3t"));
    }

    #[test]
    fn empty_run() {
        let mut input = fixture::input();
        input.findings.clear();
        let v = to_value(&input);
        assert_eq!(v["findings"], json!([]));
        assert_eq!(v["summary"], json!({}));
    }
}
