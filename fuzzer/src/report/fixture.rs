//! A fixed [`ReportInput`] for the golden-file tests of every writer: awkward characters, secrets to
//! redact, a body that is not UTF-8, an operation without findings and a finding without response.

use std::path::PathBuf;
use std::time::Duration;

use super::{ReportFinding, ReportInput, ReportOperation};
use crate::http::{HttpRequest, HttpResponse};
use crate::oracle::{Finding, FindingKind};
use crate::spec::{Method, OperationId};

fn op(id: &str, method: Method, path: &str, line: Option<u32>) -> ReportOperation {
    ReportOperation {
        id: OperationId(id.to_string()),
        method,
        path: path.to_string(),
        spec_line: line,
    }
}

pub(crate) fn input() -> ReportInput {
    let create = OperationId("createOrder".into());
    let list = OperationId("listOrders".into());
    let get = OperationId("getOrder".into());
    let server_error = ReportFinding {
        finding: Finding::new(
            FindingKind::ServerError,
            &create,
            Some(500),
            0x9f3a_1c2b_7d4e_5f60,
            "POST /orders answered 500 for a quantity of <-1> & note \"x\"",
        ),
        hits: 17,
        request: Some(HttpRequest {
            method: "POST".into(),
            path_and_query: "/orders?dry_run=true".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Authorization".into(), "Bearer s3cr3t".into()),
                ("X-Api-Key".into(), "k-123".into()),
            ],
            body: br#"{"item":"<b>tea</b>","quantity":-1}"#.to_vec(),
        }),
        response: Some(HttpResponse {
            status: 500,
            headers: vec![
                ("content-type".into(), "text/plain".into()),
                ("Set-Cookie".into(), "sid=abc".into()),
            ],
            body: b"Traceback: bad \xff byte\nValueError: quantity < 0".to_vec(),
            truncated: false,
            latency: Duration::from_micros(12_345),
        }),
        case_dir: Some(PathBuf::from(
            "shrike-out/cases/server-error.createOrder.500.9f3a1c2b7d4e5f60",
        )),
    };
    let undocumented = ReportFinding {
        finding: Finding::new(
            FindingKind::UndocumentedStatus,
            &list,
            Some(302),
            0,
            "GET /orders answered 302, which the spec does not document for this operation",
        ),
        hits: 3,
        request: Some(HttpRequest {
            method: "GET".into(),
            path_and_query: "/orders?limit=0".into(),
            headers: Vec::new(),
            body: Vec::new(),
        }),
        response: Some(HttpResponse {
            status: 302,
            headers: vec![("Location".into(), "/login".into())],
            body: Vec::new(),
            truncated: false,
            latency: Duration::from_micros(800),
        }),
        case_dir: None,
    };
    let timeout = ReportFinding {
        finding: Finding::new(
            FindingKind::Timeout,
            &get,
            None,
            0,
            "GET /orders/{orderId}: no response within the timeout",
        ),
        hits: 1,
        request: Some(HttpRequest {
            method: "GET".into(),
            path_and_query: "/orders/%27%20OR%201=1".into(),
            headers: vec![("Cookie".into(), "sid=abc".into())],
            body: Vec::new(),
        }),
        response: None,
        case_dir: Some(PathBuf::from(
            "shrike-out/cases/timeout.getOrder.none.0000000000000000",
        )),
    };
    ReportInput {
        tool_version: "0.1.0".into(),
        spec: PathBuf::from("schemas/demo-api.yaml"),
        target: "http://127.0.0.1:8080".into(),
        seed: 42,
        duration: Duration::from_millis(61_250),
        execs: 123_456,
        throttled: Duration::from_millis(1500),
        operations: vec![
            op("listOrders", Method::Get, "/orders", Some(12)),
            op("createOrder", Method::Post, "/orders", Some(30)),
            op("getOrder", Method::Get, "/orders/{orderId}", None),
            op("health", Method::Get, "/health", Some(70)),
        ],
        findings: vec![undocumented, server_error, timeout],
        regression: None,
        coverage: None,
    }
}
