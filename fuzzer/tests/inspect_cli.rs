//! Runs the built `shrike` binary: `inspect` output, JSON summary, and exit code 2 on broken specs.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas/fixtures")
        .join(rel)
}

fn shrike(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .output()
        .expect("the shrike binary runs")
}

fn inspect(rel: &str, json: bool) -> Output {
    let spec = fixture(rel);
    let spec = spec.to_str().expect("utf-8 path");
    if json {
        shrike(&["inspect", "--spec", spec, "--json"])
    } else {
        shrike(&["inspect", "--spec", spec])
    }
}

#[test]
fn inspect_lists_operations() {
    let out = inspect("openapi30/petstore.yaml", false);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("GET /pets  (listPets)"), "{text}");
    assert!(text.contains("parameters: limit? (query)"), "{text}");
    assert!(text.contains("body (required): application/json, application/x-www-form-urlencoded"));
    assert!(text.contains("responses: 201, 4XX"), "{text}");
    assert!(text.contains("security: bearerAuth"), "{text}");
}

#[test]
fn inspect_json_summary() {
    for (rel, operations) in [
        ("openapi30/petstore.yaml", 6),
        ("openapi31/library.yaml", 4),
        ("swagger2/store.yaml", 6),
    ] {
        let out = inspect(rel, true);
        assert_eq!(out.status.code(), Some(0), "{rel}");
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["operations"], operations, "{rel}");
        assert_eq!(summary["warnings"], Value::Array(vec![]), "{rel}");
        assert_eq!(
            summary["operation_list"].as_array().unwrap().len(),
            operations
        );
    }
}

#[test]
fn inspect_json_reports_warnings() {
    let out = inspect("broken/operation-problems.yaml", true);
    assert_eq!(out.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["operations"], 3);
    assert!(summary["warnings"].as_array().unwrap().len() >= 5);
}

#[test]
fn broken_specs_exit_2_with_file_and_pointer() {
    for (rel, pointer) in [
        ("broken/invalid.yaml", "line"),
        ("broken/dangling-ref.yaml", "/paths/~1a/get/responses/200"),
        ("broken/unknown-version.yaml", "\"/openapi\""),
    ] {
        let out = inspect(rel, false);
        assert_eq!(out.status.code(), Some(2), "{rel}");
        let err = String::from_utf8(out.stderr).unwrap();
        let file = rel.rsplit('/').next().unwrap();
        assert!(err.contains(file), "{rel}: {err}");
        assert!(err.contains(pointer), "{rel}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one paragraph: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn missing_file_and_bad_flags_exit_2() {
    let out = shrike(&["inspect", "--spec", "/nonexistent/spec.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/spec.yaml"));
    assert_eq!(shrike(&["inspect"]).status.code(), Some(2));
    let help = shrike(&["inspect", "--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Example"));
}
