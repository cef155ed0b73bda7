//! Unit tests of the CORS check on recorded request/response pairs.

use std::time::Duration;

use super::*;
use crate::input::Credentials;
use crate::input::render;
use crate::input::test_model::{operation, test_model};

fn request(origin: Option<&str>) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        path_and_query: "/orders/1".into(),
        headers: origin
            .map(|o| vec![("Origin".to_owned(), o.to_owned())])
            .unwrap_or_default(),
        body: Vec::new(),
    }
}

fn response(headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: b"{}".to_vec(),
        truncated: false,
        latency: Duration::ZERO,
    }
}

#[test]
fn reflected_foreign_origin_with_credentials_is_reported_once_per_api() {
    let model = test_model();
    let get = operation(&model, "getOrder");
    let create = operation(&model, "createOrder");
    let answer = response(&[
        ("Access-Control-Allow-Origin", PROBE_ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    let a = CorsCheck
        .check(&get, &request(Some(PROBE_ORIGIN)), &answer)
        .expect("finding");
    let b = CorsCheck
        .check(&create, &request(Some(PROBE_ORIGIN)), &answer)
        .expect("finding");
    assert_eq!(a.kind, FindingKind::CorsMisconfiguration);
    assert_eq!(a.signature, b.signature);
    assert!(a.signature.as_str().starts_with("cors.api.none."));
    assert!(a.detail.contains(PROBE_ORIGIN), "{}", a.detail);
    // A wildcard with credentials, whatever the request.
    let wildcard = response(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "TRUE"),
    ]);
    assert!(CorsCheck.check(&get, &request(None), &wildcard).is_some());
}

#[test]
fn allow_lists_and_credential_free_cors_are_not_reported() {
    let model = test_model();
    let get = operation(&model, "getOrder");
    // The API's own front-end origin is allowed: an allow-list at work.
    let own = response(&[
        ("Access-Control-Allow-Origin", "https://shop.example"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(
        CorsCheck
            .check(&get, &request(Some(PROBE_ORIGIN)), &own)
            .is_none()
    );
    // Reflection of an origin the user sent (not ours): not judged.
    let mine = response(&[
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Credentials", "true"),
    ]);
    assert!(
        CorsCheck
            .check(&get, &request(Some("https://app.example")), &mine)
            .is_none()
    );
    // Public data: reflected or `*` without credentials is fine.
    let public = response(&[("Access-Control-Allow-Origin", PROBE_ORIGIN)]);
    assert!(
        CorsCheck
            .check(&get, &request(Some(PROBE_ORIGIN)), &public)
            .is_none()
    );
    let star = response(&[("Access-Control-Allow-Origin", "*")]);
    assert!(CorsCheck.check(&get, &request(None), &star).is_none());
    // No CORS headers at all.
    assert!(
        CorsCheck
            .check(&get, &request(Some(PROBE_ORIGIN)), &response(&[]))
            .is_none()
    );
}

#[test]
fn probes_carry_the_origin_and_a_preflight() {
    let model = test_model();
    let create = operation(&model, "createOrder");
    let call = Call::new(create.id.clone());
    let [simple, preflight] = probes(&[], &call, &create);
    let simple = render(&simple.calls[0], &create, &[], &Credentials::none(), "");
    assert_eq!(simple.method, "POST");
    assert_eq!(simple.header("Origin"), Some(PROBE_ORIGIN));
    let preflight = render(&preflight.calls[0], &create, &[], &Credentials::none(), "");
    assert_eq!(preflight.method, "OPTIONS");
    assert_eq!(
        preflight.header("Access-Control-Request-Method"),
        Some("POST")
    );
    assert!(preflight.body.is_empty());
    assert!(is_foreign("https://x.INVALID:8443/path"));
    assert!(!is_foreign("https://invalid.example"));
}
