//! The SARIF 2.1.0 report (`--sarif`), for code-scanning dashboards: one run, tool driver `shrike`
//! with one rule per finding kind present, and one result per finding. A result's level is `error`
//! for server errors, crashes and timeouts, `warning` otherwise; its location is the spec file (at
//! the operation's line when known) plus a logical location naming the operation; its
//! `partialFingerprints` carry the finding's signature so dashboards track it across runs.

use std::io;
use std::path::Path;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use super::{ReportFinding, ReportInput, seconds, write_atomic};
use crate::oracle::FindingKind;

/// The JSON schema URI written into `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `partialFingerprints` key holding the signature.
pub const FINGERPRINT_KEY: &str = "shrikeSignature/v1";

/// Writes the SARIF report to `path` atomically.
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

/// The SARIF level of a finding kind.
pub fn level(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::ServerError
        | FindingKind::TargetCrash
        | FindingKind::Timeout
        | FindingKind::BrokenAuthentication
        | FindingKind::BrokenObjectAuthorization
        | FindingKind::BrokenFunctionAuthorization
        | FindingKind::MassAssignment
        | FindingKind::Injection => "error",
        _ => "warning",
    }
}

fn description(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::ServerError => "The API answered with a 5xx server error.",
        FindingKind::SchemaViolation => {
            "A response does not match the schema the API description documents for it."
        }
        FindingKind::UndocumentedStatus => {
            "The API answered with a status code its description does not document."
        }
        FindingKind::SlowResponse => "A response took longer than the configured threshold.",
        FindingKind::Timeout => "The API sent no response within the request timeout.",
        FindingKind::ConnectionDropped => {
            "The connection was closed or reset before a complete response."
        }
        FindingKind::TargetCrash => "The API stopped accepting connections after a request.",
        FindingKind::UseAfterDelete => {
            "A resource is still served, or changed, after the API confirmed its deletion."
        }
        FindingKind::CreateNotReadable => {
            "A resource the API reported as created cannot be read back."
        }
        FindingKind::LeakAfterFailedCreate => {
            "A create the API rejected still left the resource behind."
        }
        FindingKind::UpdateNotReadBack => {
            "An update the API accepted is not visible when the resource is read back."
        }
        FindingKind::BrokenAuthentication => {
            "An operation that requires credentials succeeds without valid ones."
        }
        FindingKind::BrokenObjectAuthorization => {
            "One user can read, change or delete another user's object."
        }
        FindingKind::BrokenFunctionAuthorization => {
            "A lower-privileged user can use an operation reserved to a higher role."
        }
        FindingKind::MassAssignment => "A field the client must not set is accepted and stored.",
        FindingKind::Injection => {
            "An injection payload changes the API's behaviour or surfaces an interpreter error."
        }
        FindingKind::DataExposure => {
            "A response exposes secrets or fields its description does not declare."
        }
        FindingKind::UserEnumeration => "Authentication answers reveal whether an account exists.",
        FindingKind::MissingRateLimit => {
            "A burst of requests on a sensitive operation is never rate limited."
        }
        FindingKind::CorsMisconfiguration => {
            "A foreign origin is allowed to make credentialed cross-origin requests."
        }
        FindingKind::InformationDisclosure => {
            "Responses disclose implementation details (versions, stack traces)."
        }
    }
}

/// A rule's `name`: the kind in PascalCase.
fn rule_name(kind: FindingKind) -> String {
    kind.slug()
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Characters escaped in an artifact URI: controls, space and the URI delimiters that would change
/// its meaning.
const URI_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The spec path as a SARIF artifact URI: relative paths stay relative (to the directory the run
/// started in, where code-scanning uploads expect them); absolute ones become `file://` URIs.
fn artifact_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded = utf8_percent_encode(&text, URI_ESCAPES).to_string();
    if path.is_absolute() {
        format!(
            "file://{}{encoded}",
            if encoded.starts_with('/') { "" } else { "/" }
        )
    } else {
        encoded
    }
}

/// The report as a SARIF JSON value.
pub fn to_value(input: &ReportInput) -> Value {
    let kinds: Vec<FindingKind> = input.counts().into_iter().map(|(k, _, _)| k).collect();
    let rules: Vec<Value> = kinds
        .iter()
        .map(|&k| {
            json!({
                "id": k.slug(),
                "name": rule_name(k),
                "shortDescription": {"text": description(k)},
                "defaultConfiguration": {"level": level(k)},
            })
        })
        .collect();
    let spec_uri = artifact_uri(&input.spec);
    let results: Vec<Value> = input
        .sorted_findings()
        .into_iter()
        .map(|f| {
            let rule_index = kinds.iter().position(|&k| k == f.finding.kind);
            result(input, f, &spec_uri, rule_index)
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "shrike",
                "version": input.tool_version,
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "properties": {
                    "target": input.target,
                    "seed": input.seed,
                    "execs": input.execs,
                    "durationSeconds": seconds(input.duration),
                },
            }],
            "results": results,
        }],
    })
}

fn result(
    input: &ReportInput,
    f: &ReportFinding,
    spec_uri: &str,
    rule_index: Option<usize>,
) -> Value {
    let op = input.operation(&f.finding.operation);
    let line = op.and_then(|o| o.spec_line).unwrap_or(1);
    let mut logical = json!({"name": f.finding.operation, "kind": "function"});
    if let Some(op) = op {
        logical["fullyQualifiedName"] = json!(format!("{} {}", op.method, op.path));
    }
    let mut properties = json!({"hits": f.hits, "status": f.finding.status});
    if let Some(dir) = &f.case_dir {
        properties["caseDir"] = json!(dir.to_string_lossy());
    }
    json!({
        "ruleId": f.finding.kind.slug(),
        "ruleIndex": rule_index,
        "level": level(f.finding.kind),
        "message": {"text": f.finding.detail},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": spec_uri},
                "region": {"startLine": line},
            },
            "logicalLocations": [logical],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: f.finding.signature},
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;
    use crate::report::tests::assert_golden;

    #[test]
    fn matches_the_golden_file() {
        assert_golden("report.sarif", &render(&fixture::input()));
    }

    #[test]
    fn levels_rules_and_fingerprints() {
        let v = to_value(&fixture::input());
        let run = &v["runs"][0];
        let ids: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .map(|r| r["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, ["server-error", "undocumented-status", "timeout"]);
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        for r in results {
            let id = r["ruleId"].as_str().expect("ruleId");
            let idx = r["ruleIndex"].as_u64().expect("index") as usize;
            assert_eq!(ids[idx], id, "ruleIndex points at the rule");
        }
        let levels: Vec<&str> = results
            .iter()
            .map(|r| r["level"].as_str().expect("lvl"))
            .collect();
        assert_eq!(levels, ["error", "error", "warning"]);
        assert_eq!(
            results[0]["partialFingerprints"][FINGERPRINT_KEY],
            "server-error.createOrder.500.9f3a1c2b7d4e5f60"
        );
        // The operation's line in the spec when known, else line 1.
        let line =
            |i: usize| &results[i]["locations"][0]["physicalLocation"]["region"]["startLine"];
        assert_eq!(
            (line(0), line(1), line(2)),
            (&json!(30), &json!(1), &json!(12))
        );
    }

    #[test]
    fn artifact_uris() {
        assert_eq!(
            artifact_uri(Path::new("schemas/api.yaml")),
            "schemas/api.yaml"
        );
        assert_eq!(
            artifact_uri(Path::new("my specs/a#1.yaml")),
            "my%20specs/a%231.yaml"
        );
        assert_eq!(
            artifact_uri(Path::new("/srv/api.json")),
            "file:///srv/api.json"
        );
    }

    #[test]
    fn every_kind_has_a_level_and_rule_name() {
        for k in FindingKind::ALL {
            assert!(matches!(level(k), "error" | "warning"));
            assert!(!description(k).is_empty());
        }
        assert_eq!(
            rule_name(FindingKind::UndocumentedStatus),
            "UndocumentedStatus"
        );
        assert_eq!(rule_name(FindingKind::Timeout), "Timeout");
    }
}
