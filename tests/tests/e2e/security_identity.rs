//! The identity-based security checks on the demo API with its bundled auth file (alice and bob
//! customers, admin): a fixed-seed `shrike demo` reports BUG-09 (BOLA), BUG-10 (broken
//! authentication), BUG-11 (mass assignment), BUG-13 (user enumeration) and BUG-16 (no rate limiting), each with the exchanges that prove it; the
//! shared run against the fixed demo ([`crate::shared`]) reports no security finding at all.

use serde_json::Value;
use shrike_e2e::{SECURITY_KINDS, case_signatures, read_case, run, temp_out};

use crate::SHRIKE;
use crate::shared::seed_1_fixed;

fn demo(name: &str, extra: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let out = temp_out(name);
    let mut args = vec!["demo", "--seed", "1", "--time", "120s", "-q", "--out"];
    args.push(out.to_str().unwrap());
    args.extend_from_slice(extra);
    (run(SHRIKE, &args), out)
}

fn case_with(out: &std::path::Path, sigs: &[String], prefix: &str) -> Value {
    let sig = sigs.iter().find(|s| s.starts_with(prefix));
    let sig = sig.unwrap_or_else(|| panic!("no {prefix} finding in {sigs:#?}"));
    read_case(out, sig)
}

fn exchanges(case: &Value) -> &Vec<Value> {
    case["exchanges"].as_array().unwrap()
}

fn status(exchange: &Value) -> u64 {
    exchange["response"]["status"].as_u64().unwrap_or(0)
}

fn body(exchange: &Value) -> &str {
    exchange["response"]["body_excerpt"].as_str().unwrap_or("")
}

fn last_identity(case: &Value) -> String {
    let calls = case["sequence"]["calls"].as_array().unwrap();
    calls.last().unwrap()["identity"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn reports_each_identity_bug_with_its_evidence() {
    // `shrike demo` runs every check, `rate-limit` included.
    let (result, out) = demo("secid-bugs", &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    let sigs = case_signatures(&out);

    // BUG-09: bob reads the order alice created and gets what alice gets.
    let bola = case_with(&out, &sigs, "bola.getOrder.200.");
    assert_eq!(last_identity(&bola), "bob");
    let ex = exchanges(&bola);
    let bobs = ex.last().unwrap();
    assert_eq!(status(bobs), 200);
    assert!(
        ex[..ex.len() - 1]
            .iter()
            .any(|e| e["operation"] == "getOrder" && body(e) == body(bobs)),
        "{bola:#}"
    );

    // BUG-10: the profile is served without (valid) credentials.
    let auth = case_with(&out, &sigs, "broken-authentication.getUser.200.");
    assert!(last_identity(&auth).starts_with('~'), "{auth:#}");
    assert_eq!(status(exchanges(&auth).last().unwrap()), 200);

    // BUG-11: an undeclared role is taken.
    let mass = case_with(&out, &sigs, "mass-assignment.registerUser.");
    let ex = exchanges(&mass);
    assert!(
        ex.iter().any(|e| e["request"]["body"]
            .as_str()
            .unwrap_or("")
            .contains(r#""role":"admin""#)),
        "{mass:#}"
    );
    assert!(
        ex.iter().any(|e| body(e).contains(r#""role":"admin""#)),
        "{mass:#}"
    );

    // BUG-13: the login tells an unknown user from a wrong password.
    let enumeration = case_with(&out, &sigs, "user-enumeration.login.");
    let bodies: Vec<&str> = exchanges(&enumeration).iter().map(body).collect();
    assert!(
        bodies.iter().any(|b| b.contains("unknown_user"))
            && bodies.iter().any(|b| b.contains("invalid_credentials")),
        "{bodies:#?}"
    );

    // BUG-16: a burst of failed logins is never throttled.
    let burst = case_with(&out, &sigs, "missing-rate-limit.login.");
    let ex = exchanges(&burst);
    assert!(ex.len() >= 50, "{}", ex.len());
    assert!(ex.iter().all(|e| status(e) == 401), "{burst:#}");

    // No false positives from these checks: the login is public, nothing is admin-only but
    // createProduct/deleteProduct, which customers cannot use.
    for wrong in [
        "broken-authentication.login.",
        "broken-function-authorization.",
    ] {
        assert!(!sigs.iter().any(|s| s.starts_with(wrong)), "{sigs:#?}");
    }
}

#[test]
fn fixed_demo_gives_no_security_findings() {
    let run = seed_1_fixed();
    let stderr = &run.stderr;
    let security: Vec<String> = run
        .signatures()
        .into_iter()
        .filter(|s| SECURITY_KINDS.iter().any(|p| s.starts_with(p)))
        .collect();
    assert_eq!(security, Vec::<String>::new(), "{stderr}");
    assert!(!stderr.contains("not sent any more"), "{stderr}");
}
