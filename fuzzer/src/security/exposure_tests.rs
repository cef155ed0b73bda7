//! Unit tests of the exposure check on recorded responses.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::campaign::runner::Exchange;
use crate::http::{HttpRequest, HttpResponse};
use crate::input::test_model::test_model;

fn oracle() -> ExposureOracle {
    ExposureOracle::new(Arc::new(test_model()), [OperationId("login".into())])
}

/// A run of one exchange of operation `op` answered `status` with `body`.
fn run_of(oracle: &ExposureOracle, op: &str, status: u16, body: &Value) -> Vec<SeqFinding> {
    let request = HttpRequest {
        method: "GET".into(),
        path_and_query: "/".into(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    run_with(oracle, op, request, status, body)
}

/// A run of one exchange: `request` of operation `op` answered `status` with `body`.
fn run_with(
    oracle: &ExposureOracle,
    op: &str,
    request: HttpRequest,
    status: u16,
    body: &Value,
) -> Vec<SeqFinding> {
    let index = oracle
        .model
        .operations
        .iter()
        .position(|o| o.id.as_str() == op)
        .expect("operation");
    let run = SeqRun {
        exchanges: vec![Exchange {
            call: 0,
            op: index,
            request,
            outcome: Ok(HttpResponse {
                status,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: serde_json::to_vec(body).expect("json"),
                truncated: false,
                latency: Duration::ZERO,
            }),
        }],
        ..SeqRun::default()
    };
    oracle.check(&RequestSeq::default(), &run)
}

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

#[test]
fn secrets_by_name_and_by_value() {
    let cases = [
        (
            "password_hash",
            json!("sha256$c2FsdA$0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        ),
        (
            "pw",
            json!("$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWX12"),
        ),
        ("session", json!(JWT)),
        ("apiKey", json!("k-123")),
        ("refresh_token", json!("opaque")),
        ("session", json!("0123456789abcdef0123456789abcdef01234567")),
        ("k", json!("AKIAABCDEFGHIJKLMNOP")),
    ];
    for (name, value) in cases {
        assert!(secret(name, &value).is_some(), "{name}: {value}");
    }
    let benign = [
        ("password_changed_at", json!("2026-01-01")),
        ("password", json!("")),
        ("password", json!(null)),
        ("request_id", json!("0123456789abcdef0123456789abcdef")),
        (
            "sha256",
            json!("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        ),
        ("username", json!("alice")),
        // Uploaded bytes are data, whatever they look like.
        ("content", json!("0123456789abcdef0123456789abcdef01234567")),
        ("blob", json!("0123456789abcdef0123456789abcdef01234567")),
        ("role", json!("admin")),
    ];
    for (name, value) in benign {
        assert!(secret(name, &value).is_none(), "{name}: {value}");
    }
}

#[test]
fn a_listing_with_password_hashes_is_one_finding_per_field() {
    let o = oracle();
    let body = json!([
        {"id": 1, "status": "new", "password_hash": "sha256$c2FsdA$0f1e2d3c4b5a6978"},
        {"id": 2, "status": "paid", "password_hash": "sha256$c2FsdB$0f1e2d3c4b5a6979"}
    ]);
    let found = run_of(&o, "listProducts", 200, &body);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0].finding;
    assert_eq!(f.kind, FindingKind::DataExposure);
    assert!(f.detail.contains("/*/password_hash"), "{}", f.detail);
    // The same field in another answer of the operation is the same finding.
    let again = run_of(
        &o,
        "listProducts",
        200,
        &json!([{"id": 3, "status": "new", "password_hash": "sha1$aaaa$bbbbbbbbbbbb"}]),
    );
    assert_eq!(again[0].finding.signature, f.signature);
}

#[test]
fn undeclared_fields_are_reported_once_per_operation() {
    let o = oracle();
    let found = run_of(
        &o,
        "getOrder",
        200,
        &json!({"id": 1, "status": "new", "internal_note": "x"}),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].finding.detail.contains("/internal_note"));
    let other = run_of(
        &o,
        "getOrder",
        200,
        &json!({"id": 1, "status": "new", "cost": 3}),
    );
    assert_eq!(other[0].finding.signature, found[0].finding.signature);
}

#[test]
fn declared_fields_login_tokens_and_errors_are_not_reported() {
    let o = oracle();
    assert!(
        run_of(
            &o,
            "getOrder",
            200,
            &json!({"id": 1, "status": "new", "quantity": 2})
        )
        .is_empty()
    );
    assert!(run_of(&o, "login", 200, &json!({"token": JWT})).is_empty());
    // An error answer is not judged.
    assert!(run_of(&o, "getOrder", 404, &json!({"password": "x"})).is_empty());
}

#[test]
fn echoes_and_keys_of_free_form_data_are_not_secrets() {
    let o = oracle();
    // A secret-looking value the request carried is an echo, not a leak.
    let op = &o.model.operations[o
        .model
        .operations
        .iter()
        .position(|x| x.id.as_str() == "getOrder")
        .expect("getOrder")];
    let request = HttpRequest {
        method: "GET".into(),
        path_and_query: "/orders/1?fields=sha256%24c2FsdA%24abcdef0123".into(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    let echoed = o.judge(
        op,
        &request,
        200,
        &json!({"id": 1, "status": "new", "quantity": 1}),
    );
    assert!(echoed.is_empty());
    let body = json!({"id": 1, "status": "new", "note": "sha256$c2FsdA$abcdef0123"});
    let found = o.judge(op, &request, 200, &body);
    // The hash-like value came from the request: only the undeclared member is reported.
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].detail.contains("does not declare"));
    // A field secret by its name whose value the request carried is neither a secret nor an
    // undeclared field: one leak keeps one signature whatever the request.
    let hash = "sha256$c2FsdA$abcdef0123";
    let named = json!({"id": 1, "status": "new", "password_hash": hash});
    let found = o.judge(op, &request, 200, &named);
    assert!(found.is_empty(), "{found:#?}");
    let plain = HttpRequest {
        path_and_query: "/orders/1".into(),
        ..request.clone()
    };
    let found = o.judge(op, &plain, 200, &named);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].detail.contains("secret field /password_hash"),
        "{found:#?}"
    );
    // An undocumented status has no schema: its members are data, names prove nothing.
    let plain = o.judge(op, &request, 299, &json!({"password": "hunter2"}));
    assert!(plain.is_empty(), "{plain:#?}");
    // Nor is a long hex value under a hinting key of free-form data; under a documented member
    // it is a secret.
    let hex = "0123456789abcdef".repeat(4);
    let free = o.judge(op, &request, 299, &json!({"session_sig": hex}));
    assert!(free.is_empty(), "{free:#?}");
    let documented = o.judge(
        op,
        &plain_request(),
        200,
        &json!({"id": 1, "session_sig": hex}),
    );
    assert!(
        documented.iter().any(|f| f.detail.contains("LongHex")),
        "{documented:#?}"
    );
}

#[test]
fn a_secret_the_fuzzer_sent_in_an_earlier_sequence_is_not_a_leak_when_read_back() {
    let hash = "$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWX12";
    let stored = json!({"id": 1, "status": "new", "note": {"owner": [{"password_hash": hash}]}});
    let secret_found = |found: &[SeqFinding]| {
        found
            .iter()
            .any(|f| f.finding.detail.contains("/note/owner/*/password_hash"))
    };
    // Never sent: the server put it there, a leak.
    let o = oracle();
    assert!(secret_found(&run_of(&o, "getOrder", 200, &stored)));
    // Sent by an earlier create (a JSON body), then read back by a later sequence: an echo.
    let o = oracle();
    let create = HttpRequest {
        method: "POST".into(),
        path_and_query: "/orders".into(),
        headers: Vec::new(),
        body: serde_json::to_vec(&json!({"quantity": 1, "note": {"o": [{"x": hash}]}}))
            .expect("json"),
    };
    let created = run_with(&o, "createOrder", create, 400, &json!({}));
    assert!(created.is_empty());
    let found = run_of(&o, "getOrder", 200, &stored);
    assert!(!secret_found(&found), "{found:#?}");
    // The same through a query string, percent-encoded.
    let o = oracle();
    let query = HttpRequest {
        path_and_query: format!("/orders/1?fields={}", hash.replace('$', "%24")),
        ..plain_request()
    };
    run_with(&o, "getOrder", query, 404, &json!({}));
    assert!(!secret_found(&run_of(&o, "getOrder", 200, &stored)));
    // A JWT sent in a body is remembered too.
    let o = oracle();
    let with_jwt = HttpRequest {
        body: serde_json::to_vec(&json!({"t": JWT})).expect("json"),
        ..plain_request()
    };
    run_with(&o, "createOrder", with_jwt, 201, &json!({"id": 1}));
    let read = json!({"id": 1, "status": "new", "note": {"x": JWT}});
    let found = run_of(&o, "getOrder", 200, &read);
    assert!(
        !found.iter().any(|f| f.finding.detail.contains("/note/x")),
        "{found:#?}"
    );
    assert!(
        run_of(&oracle(), "getOrder", 200, &read)
            .iter()
            .any(|f| f.finding.detail.contains("/note/x"))
    );
    // Another value sent does not excuse this one.
    let o = oracle();
    let other = HttpRequest {
        body: br#"{"note": "$2b$12$zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}"#
            .to_vec(),
        ..plain_request()
    };
    run_with(&o, "createOrder", other, 201, &json!({"id": 1}));
    assert!(secret_found(&run_of(&o, "getOrder", 200, &stored)));
}

fn plain_request() -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path_and_query: "/orders/1".into(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}
