use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::format::{REDACTED, SpecRef};
use super::*;
use crate::campaign::feedback::NewFinding;
use crate::campaign::runner::{Exchange, SeqRun};
use crate::http::{HttpRequest, HttpResponse};
use crate::input::{Call, RequestSeq};
use crate::oracle::{Finding, FindingKind};
use crate::spec::{Model, OperationId, SpecVersion};

fn model() -> Arc<Model> {
    let mut ops = Vec::new();
    let op = crate::spec::Operation {
        id: OperationId("createOrder".into()),
        method: crate::spec::Method::Post,
        path: "/orders".into(),
        tags: vec![],
        summary: None,
        deprecated: false,
        parameters: vec![],
        request_body: None,
        responses: BTreeMap::new(),
        security: vec![],
    };
    ops.push(op);
    Arc::new(Model {
        path: "spec.yaml".into(),
        version: SpecVersion::OpenApi31,
        title: "t".into(),
        servers: vec![],
        operations: ops,
        security_schemes: BTreeMap::new(),
        defs: serde_json::json!({}),
        warnings: vec![],
    })
}

fn new_finding() -> NewFinding {
    let op = OperationId("createOrder".into());
    let finding = Finding::new(
        FindingKind::ServerError,
        &op,
        Some(500),
        0xfeed,
        "POST /orders answered 500",
    );
    let request = HttpRequest {
        method: "POST".into(),
        path_and_query: "/orders?q=it's".into(),
        headers: vec![
            ("Authorization".into(), "Bearer s3cret".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: br#"{"qty":1}"#.to_vec(),
    };
    let response = HttpResponse {
        status: 500,
        headers: vec![("content-type".into(), "application/json".into())],
        body: br#"{"error":"boom"}"#.to_vec(),
        truncated: false,
        latency: Duration::from_millis(3),
    };
    let run = SeqRun {
        exchanges: vec![Exchange {
            call: 0,
            op: 0,
            request,
            outcome: Ok(response),
        }],
        findings: vec![finding.clone()],
        finding_at: vec![0],
        facts: vec![],
    };
    NewFinding {
        finding,
        seq: RequestSeq::new(vec![Call::new(op)]),
        run,
        found_after_s: 1.5,
    }
}

fn store(dir: &std::path::Path) -> CaseStore {
    let ctx = CaseContext {
        model: model(),
        seed: 7,
        spec: SpecRef {
            path: "spec.yaml".into(),
            sha256: "00".into(),
        },
        target: "http://127.0.0.1:1".into(),
        auth: None,
        secret_headers: vec![],
        headers: vec![
            ("X-Tenant".into(), "7".into()),
            ("X-Api-Key".into(), "k-123".into()),
        ],
        slow_ms: Some(1000),
    };
    CaseStore::open(dir, ctx).unwrap()
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("shrike-cases-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn writes_round_trips_and_redacts() {
    let dir = tempdir("roundtrip");
    let mut store = store(&dir);
    crate::campaign::feedback::FindingSink::record(&mut store, &new_finding()).unwrap();
    let case_dir = store.case_dir(&new_finding().finding.signature);
    let case = load_case(&case_dir).unwrap();
    assert_eq!(case.kind, FindingKind::ServerError);
    assert_eq!(case.seed, 7);
    assert_eq!(case.exchanges[0].request.headers[0].1, REDACTED);
    assert_eq!(
        case.headers,
        vec![
            ("X-Tenant".to_string(), "7".to_string()),
            ("X-Api-Key".to_string(), REDACTED.to_string())
        ],
        "the campaign's --header values are saved, secret ones redacted"
    );
    for file in ["case.json", "repro.sh", "summary.txt"] {
        let text = std::fs::read_to_string(case_dir.join(file)).unwrap();
        assert!(!text.contains("s3cret"), "{file} leaks the token");
        assert!(!text.contains("k-123"), "{file} leaks the API key");
    }
    let script = std::fs::read_to_string(case_dir.join("repro.sh")).unwrap();
    assert!(
        script.contains(r#"-H "Authorization: ${SHRIKE_AUTH_AUTHORIZATION}""#),
        "{script}"
    );
    assert!(script.contains(r"'/orders?q=it'\''s'"), "{script}");
    assert_eq!(store.known(), vec![(case.signature.clone(), 1)]);
    let mut hits = BTreeMap::new();
    hits.insert(case.signature.clone(), 9);
    store.update_hits(&hits).unwrap();
    assert_eq!(load_case(&case_dir).unwrap().hits, 9);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_truncated_and_future_cases_are_clear_errors() {
    let dir = tempdir("corrupt");
    let file = dir.join("case.json");
    std::fs::write(&file, b"{\"format_version\": 1, \"kind\": ").unwrap();
    let err = load_case(&file).unwrap_err();
    assert!(matches!(err, CaseError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("case.json"));
    std::fs::write(&file, br#"{"format_version": 99}"#).unwrap();
    assert!(matches!(
        load_case(&file),
        Err(CaseError::Version { found: 99, .. })
    ));
    assert!(matches!(
        load_case(&dir.join("missing")),
        Err(CaseError::Read { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn atomic_write_never_exposes_partial_files() {
    let dir = tempdir("atomic");
    let path = dir.join("case.json");
    write_atomic(&path, b"old").unwrap();
    write_atomic(&path, b"new contents").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new contents");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(leftovers.len(), 1, "no temp file left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn repro_script_reads_referenced_values_from_the_fresh_response() {
    use crate::input::{Node, ParamValue, RefSource, Reference};
    let dir = tempdir("refs");
    let store = store(&dir);
    let mut case = store.case_file(&new_finding(), 1);
    let mut get = Call::new(crate::spec::OperationId("getOrder".into()));
    get.params.push(ParamValue {
        name: "orderId".into(),
        location: crate::spec::ParamLocation::Path,
        value: Some(Node::Ref(Reference {
            call: 0,
            source: RefSource::Body("/id".into()),
        })),
    });
    case.sequence.calls.push(get);
    let first = &mut case.exchanges[0];
    first.response.as_mut().unwrap().body_excerpt = r#"{"id":42,"n":42}"#.into();
    let mut second = case.exchanges[0].clone();
    second.call = 1;
    second.request.method = "GET".into();
    second.request.path = "/orders/42?x=420".into();
    second.request.body = String::new();
    case.exchanges.push(second);
    let script = super::curl::script(&case);
    assert!(script.contains(r#"> "$DIR/r0""#), "{script}");
    assert!(script.contains(r#"V0=$(grep -o '"id""#), "{script}");
    assert!(
        script.contains(r#""$TARGET"'/orders/'"${V0}"'?x=420'"#),
        "{script}"
    );
    // The note about credentials goes before the TARGET line, not inside a comment.
    assert!(script.contains("before running.\nTARGET="), "{script}");
    let path = dir.join("repro.sh");
    std::fs::write(&path, &script).unwrap();
    let check = std::process::Command::new("sh")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(check.success(), "sh -n rejects:\n{script}");
    let _ = std::fs::remove_dir_all(&dir);
}
