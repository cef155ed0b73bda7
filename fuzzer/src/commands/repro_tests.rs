//! `shrike repro` against a tiny loopback server whose bug shows on every other request: the
//! verdict counts replays ("reproduced 2/3"), exit 1 while it shows, 0 once fixed, 3 when the
//! target is gone, and the case's spec is found beside its output folder.

use std::io::{Read, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::oracle::{FindingKind, Signature, errsig};
use crate::spec::OperationId;

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /boom:\n    get:\n      operationId: boom\n      responses:\n        '200': {description: ok}\n";
const BOOM: &str = r#"{"error":"kaboom"}"#;

/// Serves `GET /boom`: 500 when `fails(n)` for the n-th request (from 0), else 200.
fn serve(fails: fn(usize) -> bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            // Reachability probes connect and close without a request: not counted.
            if stream.read(&mut buf).unwrap_or(0) == 0 {
                continue;
            }
            let n = count.fetch_add(1, Ordering::SeqCst);
            let (status, body) = if fails(n) {
                ("500 Internal Server Error", BOOM)
            } else {
                ("200 OK", "{}")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

/// A case folder `OUT/cases/<sig>/` whose spec sits in OUT (recorded under another path).
fn case_dir(name: &str, target: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!("shrike-repro-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("api.yaml"), SPEC).unwrap();
    let op = OperationId("boom".into());
    let sig = Signature::new(
        FindingKind::ServerError,
        &op,
        Some(500),
        errsig::error_signature(BOOM.as_bytes(), b"/boom "),
    );
    let case = serde_json::json!({
        "format_version": 1, "shrike_version": "0", "kind": "server-error",
        "signature": sig, "operation": "boom", "status": 500, "detail": "GET /boom answered 500",
        "error_sig": "0", "seed": 1, "spec": {"path": "moved/away/api.yaml", "sha256": "x"},
        "target": target, "auth": null, "hits": 1,
        "sequence": {"calls": [{"operation": "boom", "identity": null, "params": [], "body": null}]},
        "exchanges": []
    });
    let dir = out.join("cases").join(sig.as_str());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("case.json"), serde_json::to_vec(&case).unwrap()).unwrap();
    dir
}

fn replay(
    dir: &Path,
    target: Option<String>,
    runs: u32,
) -> (Result<ReproOutcome, CommandError>, String) {
    let mut console = Vec::new();
    let request = ReproRequest {
        case: dir.to_path_buf(),
        replay: ReplayOptions {
            target,
            ..ReplayOptions::default()
        },
        runs,
        reset_cmd: None,
    };
    let result = repro(&request, &mut console);
    (result, String::from_utf8_lossy(&console).into_owned())
}

#[test]
fn counts_replays_that_reproduce_and_says_flaky() {
    let target = serve(|n| n % 2 == 0);
    let dir = case_dir("flaky", &target);
    let (result, text) = replay(&dir, None, 3);
    let outcome = result.unwrap();
    assert_eq!((outcome.reproduced, outcome.runs), (2, 3), "{text}");
    assert_eq!(outcome.exit_code(), exit::FINDINGS);
    assert!(
        text.contains("reproduced 2/3: reproduces sometimes (flaky)"),
        "{text}"
    );
    assert!(text.contains("→ GET /boom"), "{text}");
    assert!(text.contains("warning:"), "the spec's hash differs: {text}");
}

#[test]
fn fixed_target_exits_0_and_gone_target_is_unreachable() {
    let fixed = serve(|_| false);
    let dir = case_dir("fixed", "http://127.0.0.1:1");
    let (result, text) = replay(&dir, Some(fixed), 2);
    let outcome = result.unwrap();
    assert_eq!(outcome.exit_code(), exit::NO_FINDINGS, "{text}");
    assert!(text.contains("reproduced 0/2"), "{text}");
    let (result, _) = replay(&dir, None, 1);
    assert_eq!(result.unwrap_err().exit_code(), exit::UNREACHABLE);
    let (result, _) = replay(&dir.join("missing"), None, 1);
    assert_eq!(result.unwrap_err().exit_code(), exit::USAGE);
}

#[test]
fn reset_command_runs_first_and_a_failing_one_exits_2() {
    let boom = serve(|_| true);
    let dir = case_dir("reset", "http://127.0.0.1:1");
    let marker = dir.join("reset-ran");
    let request = |cmd: String| ReproRequest {
        case: dir.clone(),
        replay: ReplayOptions {
            target: Some(boom.clone()),
            ..ReplayOptions::default()
        },
        runs: 1,
        reset_cmd: Some(cmd),
    };
    let mut console = Vec::new();
    let ok = repro(
        &request(format!("touch '{}'", marker.display())),
        &mut console,
    );
    assert_eq!(ok.unwrap().exit_code(), exit::FINDINGS);
    assert!(marker.exists(), "the reset command ran");
    let failed = repro(&request("exit 3".into()), &mut console);
    assert_eq!(failed.unwrap_err().exit_code(), exit::USAGE);
}

#[test]
fn replay_resends_saved_headers_and_asks_for_redacted_ones() {
    let h = |n: &str, v: &str| (n.to_string(), v.to_string());
    let saved = vec![
        h("X-Tenant", "7"),
        h("X-Api-Key", crate::cases::format::REDACTED),
        h("X-Trace", "a"),
    ];
    let mut console = Vec::new();
    let sent = replay_headers(&saved, &[h("x-trace", "b")], &mut console);
    assert_eq!(sent, vec![h("X-Tenant", "7"), h("x-trace", "b")]);
    let text = String::from_utf8(console).unwrap();
    assert!(text.contains("-H 'X-Api-Key: ...'"), "{text}");
    let mut console = Vec::new();
    let sent = replay_headers(&saved, &[h("X-Api-Key", "k")], &mut console);
    assert_eq!(
        sent,
        vec![h("X-Tenant", "7"), h("X-Trace", "a"), h("X-Api-Key", "k")]
    );
    assert!(console.is_empty());
}
