//! The payload and response security checks on the demo API (`shrike demo`, which logs in with
//! the bundled auth file of two customers and one admin): a fixed-seed run reports the SQL
//! injection (BUG-08) as an injection with its evidence besides the 500, the password hashes of
//! the user directory (BUG-12) and the credentialed CORS reflection (BUG-17); the shared run
//! against the demo with its bugs removed (`--fixed`, [`crate::shared`]) reports no security
//! finding at all.

use shrike_e2e::{SECURITY_KINDS, case_signatures, read_case, run, temp_out};

use crate::SHRIKE;
use crate::shared::seed_1_fixed;

fn demo(name: &str, extra: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let out = temp_out(name);
    let mut args = vec![
        "demo",
        "--seed",
        "3",
        "--time",
        "90s",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (run(SHRIKE, &args), out)
}

fn one<'a>(sigs: &'a [String], prefix: &str, report: &str) -> &'a String {
    let matching: Vec<&String> = sigs.iter().filter(|s| s.starts_with(prefix)).collect();
    assert_eq!(matching.len(), 1, "{prefix}: {report}");
    matching[0]
}

/// Every exchange of a case: (request path, request headers, response status, body excerpt,
/// response headers), as text.
fn exchanges(case: &serde_json::Value) -> Vec<(String, String, u64, String, String)> {
    case["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["request"]["path"].as_str().unwrap_or_default().to_owned(),
                e["request"]["headers"].to_string(),
                e["response"]["status"].as_u64().unwrap_or_default(),
                e["response"]["body_excerpt"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                e["response"]["headers"].to_string().to_ascii_lowercase(),
            )
        })
        .collect()
}

#[test]
fn payload_checks_find_the_planted_bugs_and_nothing_when_fixed() {
    let (result, out) = demo("secpay-bugs", &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    let sigs = case_signatures(&out);
    let report = format!("{sigs:#?}\n{stderr}");

    // BUG-08: the injection on listProducts' category, with the benign call that does not fail
    // and the attack that fails with SQLite's error, besides the server-error finding.
    let injection = one(&sigs, "injection.listProducts.", &report);
    let case = read_case(&out, injection);
    assert!(
        case["detail"].as_str().unwrap().contains("category")
            || exchanges(&case).iter().any(|e| e.0.contains("category=")),
        "{case:#}"
    );
    let ex = exchanges(&case);
    assert!(ex.len() >= 2, "{case:#}");
    assert!(
        ex.iter().any(|e| e.2 < 500),
        "a benign call is part of the evidence: {case:#}"
    );
    assert!(
        ex.iter()
            .any(|e| e.3.contains("unrecognized token") || e.2 == 200),
        "{case:#}"
    );
    assert!(
        sigs.iter()
            .any(|s| s.starts_with("server-error.listProducts.500.")),
        "{report}"
    );
    // No injection elsewhere: the other operations use bound parameters.
    assert_eq!(
        sigs.iter().filter(|s| s.starts_with("injection.")).count(),
        1,
        "{report}"
    );

    // BUG-12: the password hashes of the user directory.
    let exposure = one(&sigs, "data-exposure.listUsers.", &report);
    let case = read_case(&out, exposure);
    assert!(
        case["detail"].as_str().unwrap().contains("password_hash"),
        "{case:#}"
    );
    assert!(
        exchanges(&case)
            .last()
            .is_some_and(|e| e.3.contains("sha256$")),
        "{case:#}"
    );

    // BUG-17: one CORS finding for the whole API, with the foreign origin reflected.
    let cors = one(&sigs, "cors.api.", &report);
    let case = read_case(&out, cors);
    let last = exchanges(&case).pop().unwrap();
    assert!(last.1.contains("shrike-probe.invalid"), "{case:#}");
    assert!(
        last.4
            .contains(r#"["access-control-allow-origin","https://shrike-probe.invalid"]"#),
        "{case:#}"
    );
    assert!(
        last.4
            .contains(r#"["access-control-allow-credentials","true"]"#),
        "{case:#}"
    );

    let run = seed_1_fixed();
    let stderr = &run.stderr;
    let security: Vec<String> = run
        .signatures()
        .into_iter()
        .filter(|s| SECURITY_KINDS.iter().any(|k| s.starts_with(k)))
        .collect();
    assert_eq!(security, Vec::<String>::new(), "{stderr}");
}

#[test]
fn an_unknown_check_name_is_a_usage_error_listing_the_valid_ones() {
    let result = run(
        SHRIKE,
        &[
            "fuzz",
            "--spec",
            "schemas/demo-api.yaml",
            "--checks",
            "injection,sqli",
        ],
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown check \"sqli\""), "{stderr}");
    assert!(
        stderr.contains("data-exposure") && stderr.contains("rate-limit"),
        "{stderr}"
    );
}

/// The injection prober's sequences for `listProducts`, run against the demo (`fixed` or not);
/// returns the details of the injection findings the oracle reports.
fn probe_list_products(fixed: bool) -> Vec<String> {
    use std::sync::Arc;

    use rand::SeedableRng;
    use shrike::campaign::runner::{RunnerConfig, SeqRunner};
    use shrike::input::{Call, Credentials, Identities, RequestSeq};
    use shrike::oracle::FindingKind;
    use shrike::probe::{Prober, SeqOracle};
    use shrike::security::injection::InjectionOracle;
    use shrike::security::injection_probe::InjectionProber;
    use shrike::spec::OperationId;
    use shrike::transport::{Target, TcpTransport, TransportConfig};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let model = Arc::new(shrike::spec::load(&root.join("schemas/demo-api.yaml")).unwrap());
    let server = shrike_demo_api::spawn_background(shrike_demo_api::Options { fixed }).unwrap();
    let target = Target::parse(&server.base_url()).unwrap();
    let transport = TcpTransport::new(target.clone(), TransportConfig::default());
    let ids = Identities::single("anonymous", Credentials::none());
    let mut runner = SeqRunner::new(
        Arc::clone(&model),
        target,
        transport,
        ids,
        RunnerConfig::default(),
    );
    let seq = RequestSeq::new(vec![Call::new(OperationId("listProducts".into()))]);
    let run = runner.run(&seq);
    let mut prober = InjectionProber::new(Arc::clone(&model), 6);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut details = Vec::new();
    for probe in prober.derive(&seq, &run, &mut rng) {
        let run = runner.run(&probe);
        for found in InjectionOracle.check(&probe, &run) {
            assert_eq!(found.finding.kind, FindingKind::Injection);
            details.push(found.finding.detail);
        }
    }
    details
}

#[test]
fn injection_probes_prove_the_error_and_the_boolean_differential_live() {
    let details = probe_list_products(false);
    assert!(
        details.iter().any(|d| d.contains("sqlite-error")),
        "{details:#?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains("condition was evaluated")),
        "{details:#?}"
    );
    // Bound parameters: neither technique shows anything.
    assert_eq!(probe_list_products(true), Vec::<String>::new());
}
