//! Tests of the shared report helpers, and the golden-file check every writer uses.

use std::path::Path;

use std::fs;

use super::*;

/// Compares `actual` with `testdata/<name>`. With `SHRIKE_BLESS=1` it rewrites the file instead
/// (review the diff before committing).
pub(crate) fn assert_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/report/testdata")
        .join(name);
    if std::env::var_os("SHRIKE_BLESS").is_some() {
        fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run with SHRIKE_BLESS=1 to create)",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |i| i);
        panic!(
            "{name} differs from the golden file at line {}:\n  expected: {:?}\n  actual:   {:?}",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn secret_headers_are_recognised() {
    for secret in [
        "Authorization",
        "proxy-authorization",
        "Cookie",
        "Set-Cookie",
        "X-Api-Key",
        "api_key",
        "X-Auth-Token",
        "X-CSRF-Token",
        "X-Client-Secret",
        "X-Session-Id",
    ] {
        assert!(is_secret_header(secret), "{secret}");
    }
    for plain in [
        "Content-Type",
        "Accept",
        "Location",
        "X-Request-Id",
        "User-Agent",
    ] {
        assert!(!is_secret_header(plain), "{plain}");
    }
    let h = vec![
        ("Accept".to_string(), "*/*".to_string()),
        (
            "authorization".to_string(),
            "Basic dXNlcjpwYXNz".to_string(),
        ),
    ];
    assert_eq!(
        redact_headers(&h),
        [
            ("Accept".to_string(), "*/*".to_string()),
            ("authorization".to_string(), REDACTED.to_string())
        ]
    );
}

#[test]
fn secret_query_parameters_are_redacted() {
    assert_eq!(redact_query("/orders"), "/orders");
    assert_eq!(
        redact_query("/orders?limit=5&page=2"),
        "/orders?limit=5&page=2"
    );
    assert_eq!(
        redact_query("/a?api_key=k1&x=1&access%5Ftoken=t&flag&Token=z"),
        "/a?api_key=[redacted]&x=1&access%5Ftoken=[redacted]&flag&Token=[redacted]"
    );
    assert_eq!(
        redact_query("/maps?KEY=abc&monkey=1"),
        "/maps?KEY=[redacted]&monkey=1"
    );
}

#[test]
fn excerpts_are_capped_at_a_character_boundary() {
    assert_eq!(body_excerpt(b"short"), ("short".to_string(), false));
    assert_eq!(body_excerpt(b""), (String::new(), false));
    assert_eq!(body_excerpt(b"a\xffb"), ("a\u{fffd}b".to_string(), false));
    let exact = vec![b'x'; BODY_EXCERPT_MAX];
    assert_eq!(body_excerpt(&exact), ("x".repeat(BODY_EXCERPT_MAX), false));
    let long = vec![b'y'; BODY_EXCERPT_MAX + 1];
    assert_eq!(body_excerpt(&long), ("y".repeat(BODY_EXCERPT_MAX), true));
    // A three-byte character straddling the limit is dropped whole.
    let mut straddle = vec![b'z'; BODY_EXCERPT_MAX - 1];
    straddle.extend_from_slice("€€".as_bytes());
    let (text, cut) = body_excerpt(&straddle);
    assert!(cut);
    assert_eq!(text, "z".repeat(BODY_EXCERPT_MAX - 1));
    // Invalid bytes at the limit become replacement characters that fit.
    let bad = vec![0xff; BODY_EXCERPT_MAX + 10];
    let (text, cut) = body_excerpt(&bad);
    assert!(cut && text.len() <= BODY_EXCERPT_MAX && text.chars().all(|c| c == '\u{fffd}'));
}

#[test]
fn findings_sort_by_severity_then_signature() {
    let input = fixture::input();
    let kinds: Vec<&str> = input
        .sorted_findings()
        .iter()
        .map(|f| f.finding.kind.slug())
        .collect();
    assert_eq!(kinds, ["server-error", "timeout", "undocumented-status"]);
    let counts = input.counts();
    assert_eq!(
        counts,
        [
            (FindingKind::ServerError, 1, 17),
            (FindingKind::UndocumentedStatus, 1, 3),
            (FindingKind::Timeout, 1, 1)
        ]
    );
}

#[test]
fn atomic_write_replaces_and_leaves_no_temporary_file() {
    let dir = std::env::temp_dir().join(format!("shrike-report-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let path = dir.join("nested/report.json");
    write_atomic(&path, b"first").expect("write");
    write_atomic(&path, b"second").expect("overwrite");
    assert_eq!(fs::read_to_string(&path).expect("read"), "second");
    let names: Vec<String> = fs::read_dir(dir.join("nested"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.json"]);
    // A directory in the way is an error, and the temporary file is cleaned up.
    let blocked = dir.join("nested");
    assert!(write_atomic(&blocked, b"x").is_err());
    assert_eq!(fs::read_dir(&blocked).expect("list").count(), 1);
    fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn requested_reports_are_written_and_failures_named() {
    let dir = std::env::temp_dir().join(format!("shrike-reports-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let input = fixture::input();
    let paths = ReportPaths {
        json: Some(dir.join("report.json")),
        junit: None,
        sarif: Some(dir.join("out/report.sarif")),
    };
    let written = write_requested(&paths, &input).expect("writable");
    assert_eq!(
        written,
        [dir.join("report.json"), dir.join("out/report.sarif")]
    );
    assert_eq!(
        fs::read_to_string(dir.join("report.json")).expect("read"),
        json::render(&input)
    );
    assert_eq!(
        fs::read_to_string(dir.join("out/report.sarif")).expect("read"),
        sarif::render(&input)
    );
    assert!(
        write_requested(&ReportPaths::default(), &input)
            .expect("nothing")
            .is_empty()
    );
    // A directory where the file should go.
    let blocked = ReportPaths {
        junit: Some(dir.join("out")),
        ..ReportPaths::default()
    };
    let e = write_requested(&blocked, &input).expect_err("a directory is in the way");
    assert_eq!(e.format, "JUnit");
    assert!(
        e.to_string()
            .starts_with("cannot write the JUnit report to "),
        "{e}"
    );
    fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn operations_are_located_in_yaml_and_json() {
    let yaml = "openapi: 3.1.0\npaths:\n  /orders:\n    get:\n      summary: list\n    post:\n      \
                operationId: createOrder\n  /orders/{orderId}:\n    delete:\n      x: 1\n    get:\n";
    let json = "{\n  \"paths\": {\n    \"/orders\": {\n      \"get\": {\n        \"operationId\": \
                \"listOrders\",\n      }\n    }\n  }\n}\n";
    let mut ops = vec![
        ReportOperation {
            id: OperationId("listOrders".into()),
            method: Method::Get,
            path: "/orders".into(),
            spec_line: None,
        },
        ReportOperation {
            id: OperationId("createOrder".into()),
            method: Method::Post,
            path: "/orders".into(),
            spec_line: None,
        },
        ReportOperation {
            id: OperationId("getOrder".into()),
            method: Method::Get,
            path: "/orders/{orderId}".into(),
            spec_line: None,
        },
        ReportOperation {
            id: OperationId("gone".into()),
            method: Method::Get,
            path: "/gone".into(),
            spec_line: None,
        },
    ];
    locate_operations(yaml, &mut ops);
    let lines: Vec<Option<u32>> = ops.iter().map(|o| o.spec_line).collect();
    assert_eq!(lines, [Some(4), Some(7), Some(11), None]);
    locate_operations(json, &mut ops);
    assert_eq!(ops[0].spec_line, Some(5));
    assert_eq!(ops[2].spec_line, None);
}

proptest::proptest! {
    #[test]
    fn excerpts_are_bounded_prefixes(body in proptest::collection::vec(proptest::num::u8::ANY, 0..2200)) {
        let (text, cut) = body_excerpt(&body);
        proptest::prop_assert!(text.len() <= BODY_EXCERPT_MAX);
        proptest::prop_assert_eq!(cut, body.len() > BODY_EXCERPT_MAX || text.len() < String::from_utf8_lossy(&body).len());
        proptest::prop_assert!(String::from_utf8_lossy(&body).starts_with(text.as_str()) || body.len() > BODY_EXCERPT_MAX);
    }

    #[test]
    fn mapping_entries_never_panic(line in "\\PC{0,30}") {
        let _ = mapping_entry(line.trim());
    }
}
