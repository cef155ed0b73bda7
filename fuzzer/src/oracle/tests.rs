use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::spec::{Method, OperationId, Response, StatusKey};
use crate::transport::FakeTransport;

fn op(documented: &[StatusKey]) -> Operation {
    let response = Response {
        description: String::new(),
        content: vec![],
        headers: vec![],
        links: vec![],
    };
    Operation {
        id: OperationId("createOrder".into()),
        method: Method::Post,
        path: "/orders".into(),
        tags: vec![],
        summary: None,
        deprecated: false,
        parameters: vec![],
        request_body: None,
        responses: documented
            .iter()
            .map(|k| (*k, response.clone()))
            .collect::<BTreeMap<_, _>>(),
        security: vec![],
    }
}

fn req() -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path_and_query: "/orders".into(),
        headers: vec![],
        body: br#"{"q":"zz"}"#.to_vec(),
    }
}

fn kinds(findings: &[Finding]) -> Vec<FindingKind> {
    findings.iter().map(|f| f.kind).collect()
}

#[test]
fn server_errors_are_found_and_signed_by_message() {
    let o = op(&[StatusKey::Code(201), StatusKey::Code(400)]);
    let cfg = OracleConfig::default();
    let a = check_exchange(
        &o,
        &req(),
        &Ok(FakeTransport::response(500, r#"{"message":"db error 17"}"#)),
        &cfg,
        true,
    );
    let b = check_exchange(
        &o,
        &req(),
        &Ok(FakeTransport::response(500, r#"{"message":"db error 18"}"#)),
        &cfg,
        true,
    );
    let c = check_exchange(
        &o,
        &req(),
        &Ok(FakeTransport::response(500, r#"{"message":"other"}"#)),
        &cfg,
        true,
    );
    assert_eq!(kinds(&a), vec![FindingKind::ServerError]);
    assert_eq!(a[0].signature, b[0].signature);
    assert_ne!(a[0].signature, c[0].signature);
}

#[test]
fn undocumented_status_follows_the_policy() {
    let o = op(&[StatusKey::Code(201), StatusKey::Range(4)]);
    let mut cfg = OracleConfig::default();
    let ok200 = Ok(FakeTransport::response(200, "{}"));
    let e409 = Ok(FakeTransport::response(409, "{}"));
    let o2 = op(&[StatusKey::Code(201)]);
    assert_eq!(
        kinds(&check_exchange(&o, &req(), &ok200, &cfg, true)),
        vec![FindingKind::UndocumentedStatus]
    );
    assert!(
        check_exchange(&o, &req(), &e409, &cfg, true).is_empty(),
        "4XX documents 409"
    );
    assert!(
        check_exchange(&o2, &req(), &e409, &cfg, true).is_empty(),
        "4xx noise is off by default"
    );
    cfg.undocumented = UndocumentedPolicy::All;
    assert_eq!(
        kinds(&check_exchange(&o2, &req(), &e409, &cfg, true)),
        vec![FindingKind::UndocumentedStatus]
    );
    cfg.undocumented = UndocumentedPolicy::Off;
    assert!(check_exchange(&o, &req(), &ok200, &cfg, true).is_empty());
    let with_default = op(&[StatusKey::Default]);
    cfg.undocumented = UndocumentedPolicy::All;
    assert!(check_exchange(&with_default, &req(), &ok200, &cfg, true).is_empty());
}

#[test]
fn slow_and_transport_failures() {
    let o = op(&[StatusKey::Code(201)]);
    let cfg = OracleConfig {
        slow: Duration::from_millis(50),
        ..OracleConfig::default()
    };
    let mut slow = FakeTransport::response(201, "{}");
    slow.latency = Duration::from_millis(80);
    assert_eq!(
        kinds(&check_exchange(&o, &req(), &Ok(slow), &cfg, true)),
        vec![FindingKind::SlowResponse]
    );
    let t = check_exchange(&o, &req(), &Err(TransportError::Timeout), &cfg, true);
    assert_eq!(kinds(&t), vec![FindingKind::Timeout]);
    let d = check_exchange(
        &o,
        &req(),
        &Err(TransportError::ConnectionDropped),
        &cfg,
        true,
    );
    assert_eq!(kinds(&d), vec![FindingKind::ConnectionDropped]);
    let c = check_exchange(&o, &req(), &Err(TransportError::ConnectFailed), &cfg, true);
    assert_eq!(kinds(&c), vec![FindingKind::TargetCrash]);
    assert!(
        check_exchange(&o, &req(), &Err(TransportError::ConnectFailed), &cfg, false).is_empty()
    );
}
