//! Shared helpers for the end-to-end tests in `tests/e2e.rs`: running Shrike's command line as a
//! child process and reading what it left in its output folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty folder under the system temp dir for one test, named after the test run's
/// process id. The folders stay after the run, so a failed test's output can be read; the next
/// run removes those whose process is gone (a demo campaign's folder holds 50–150 MB).
pub fn temp_out(name: &str) -> PathBuf {
    static SWEEP: std::sync::Once = std::sync::Once::new();
    SWEEP.call_once(remove_stale_outputs);
    let dir = std::env::temp_dir().join(format!("shrike-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Removes the `shrike-e2e-*-PID` folders of test runs that are no longer running.
fn remove_stale_outputs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("shrike-e2e-")
            .and_then(|rest| rest.rsplit_once('-'))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let running = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        // Without /proc (not Linux) nothing can be told stale: leave everything.
        if !running && Path::new("/proc/self").exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Runs Shrike (`bin`) with `args`, returning its output.
pub fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin).args(args).output().expect("run shrike")
}

/// The signatures of the cases in `out/cases`, sorted.
pub fn case_signatures(out: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out.join("cases")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("case.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The parsed `case.json` of a case folder.
pub fn read_case(out: &Path, signature: &str) -> serde_json::Value {
    let text =
        std::fs::read(out.join("cases").join(signature).join("case.json")).expect("read case");
    serde_json::from_slice(&text).expect("case.json parses")
}

/// The last response body of a case (the one that showed the finding).
pub fn last_body(case: &serde_json::Value) -> String {
    case["exchanges"]
        .as_array()
        .and_then(|e| e.last())
        .and_then(|e| e["response"]["body_excerpt"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// The signature prefixes of the kinds the security checks report.
pub const SECURITY_KINDS: [&str; 10] = [
    "broken-authentication.",
    "bola.",
    "broken-function-authorization.",
    "mass-assignment.",
    "injection.",
    "data-exposure.",
    "user-enumeration.",
    "missing-rate-limit.",
    "cors.",
    "information-disclosure.",
];
