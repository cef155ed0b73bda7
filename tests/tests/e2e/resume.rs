//! A campaign killed with SIGKILL resumes from its output folder: the corpus and the cases written
//! before the kill are all there, and the next run starts from them.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shrike_e2e::{case_signatures, read_case, temp_out};

use crate::SHRIKE;

fn corpus_files(out: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out.join("corpus")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn kill_9_then_resume_keeps_corpus_and_cases() {
    let out = temp_out("resume");
    let out_arg = out.to_str().unwrap();
    let mut child = Command::new(SHRIKE)
        .args([
            "demo", "--seed", "3", "--time", "60s", "-q", "--out", out_arg,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(40)
        && (corpus_files(&out).len() < 20 || case_signatures(&out).len() < 2)
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let corpus_before = corpus_files(&out);
    let cases_before = case_signatures(&out);
    assert!(corpus_before.len() >= 20, "corpus {}", corpus_before.len());
    assert!(cases_before.len() >= 2, "{cases_before:?}");
    for sig in &cases_before {
        read_case(&out, sig); // every case on disk is complete
    }

    let again = Command::new(SHRIKE)
        .args([
            "demo", "--seed", "3", "--time", "5s", "-q", "--out", out_arg,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    let resumed = format!("({} resumed)", corpus_before.len());
    assert!(
        stderr.contains(&resumed),
        "expected {resumed} in:\n{stderr}"
    );
    let corpus_after = corpus_files(&out);
    assert!(
        corpus_before.iter().all(|f| corpus_after.contains(f)),
        "corpus entries were lost"
    );
    let cases_after = case_signatures(&out);
    assert!(
        cases_before.iter().all(|c| cases_after.contains(c)),
        "cases were lost"
    );
    // Findings known before the kill are not reported as new: still one case per signature.
    for sig in &cases_before {
        assert!(read_case(&out, sig)["hits"].as_u64().unwrap() >= 1);
    }
}
