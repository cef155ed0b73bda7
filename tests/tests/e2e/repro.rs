//! Saved cases replay: after a one-minute `shrike demo --seed 1`, every case reproduces against a
//! fresh demo API (`shrike repro` exits 1) and not against the fixed one (exit 0); every 5xx case's
//! `repro.sh` shows its 500 with curl alone; a run killed with SIGKILL at random moments never
//! leaves a `case.json` that does not parse; a corrupt case is a clear error with exit 2.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use shrike_e2e::{case_signatures, read_case, run, temp_out};

use crate::SHRIKE;
use crate::shared::seed_1_bugs;

/// A demo API served by Shrike's hidden `__demo-server` command on a free loopback port; killed
/// when dropped (and it exits by itself when this process dies: its stdin closes).
struct DemoServer {
    child: Child,
    addr: SocketAddr,
}

impl DemoServer {
    fn start(fixed: bool) -> DemoServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut args = vec![
            "__demo-server".to_string(),
            "--port".into(),
            port.to_string(),
            "--exit-with-parent".into(),
        ];
        if fixed {
            args.push("--fixed".into());
        }
        let child = Command::new(SHRIKE)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = DemoServer {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        let started = Instant::now();
        while !server.alive() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "demo server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn alive(&self) -> bool {
        TcpStream::connect_timeout(&self.addr, Duration::from_millis(300)).is_ok()
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The output folder of the shared `shrike demo --seed 1 --time 60s` (see [`crate::shared`]).
fn demo_out() -> &'static Path {
    let demo = seed_1_bugs();
    assert_eq!(demo.code, Some(1), "{}", demo.stderr);
    &demo.out
}

fn case_dirs(out: &Path) -> Vec<PathBuf> {
    case_signatures(out)
        .into_iter()
        .map(|s| out.join("cases").join(s))
        .collect()
}

/// `shrike repro` of each case against a demo server (a fresh one whenever the last died).
fn repro_exit_codes(out: &Path, fixed: bool, runs: &str) -> Vec<(String, Option<i32>, String)> {
    let mut server = DemoServer::start(fixed);
    let mut codes = Vec::new();
    for dir in case_dirs(out) {
        if !server.alive() {
            server = DemoServer::start(fixed);
        }
        let result = run(
            SHRIKE,
            &[
                "repro",
                dir.to_str().unwrap(),
                "--target",
                &server.url(),
                "--runs",
                runs,
            ],
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        codes.push((name, result.status.code(), text));
    }
    codes
}

#[test]
fn every_case_reproduces_on_the_demo_and_not_on_the_fixed_demo() {
    let out = demo_out();
    let dirs = case_dirs(out);
    assert!(dirs.len() >= 5, "{dirs:?}");
    for dir in &dirs {
        let case = read_case(out, &dir.file_name().unwrap().to_string_lossy());
        let m = &case["minimized"];
        assert!(m.is_object(), "every case is minimized: {case:#}");
        assert!(m["calls_after"].as_u64() <= m["calls_before"].as_u64());
        assert!(m["body_bytes_after"].as_u64() <= m["body_bytes_before"].as_u64());
    }
    for (name, code, text) in repro_exit_codes(out, false, "3") {
        assert_eq!(
            code,
            Some(1),
            "{name} should reproduce on the demo:\n{text}"
        );
        assert!(text.contains("reproduced "), "{text}");
    }
    for (name, code, text) in repro_exit_codes(out, true, "1") {
        assert_eq!(
            code,
            Some(0),
            "{name} should not reproduce when fixed:\n{text}"
        );
        assert!(text.contains("reproduced 0/1"), "{text}");
    }
}

/// Logs `user` in with curl and returns the `Authorization` header value.
fn curl_token(base: &str, user: &str, password: &str) -> String {
    let body = format!(r#"{{"username":"{user}","password":"{password}"}}"#);
    let result = Command::new("curl")
        .args(["-sS", "-X", "POST", &format!("{base}/auth/login")])
        .args([
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &body,
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    format!("Bearer {}", json["token"].as_str().unwrap())
}

#[test]
fn repro_sh_of_each_server_error_shows_its_500_with_curl_alone() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("SKIPPED: curl is not installed, so repro.sh cannot be run");
        return;
    }
    let out = demo_out();
    let server_errors: Vec<PathBuf> = case_dirs(out)
        .into_iter()
        .filter(|d| {
            d.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("server-error.")
        })
        .collect();
    assert!(!server_errors.is_empty());
    let server = DemoServer::start(false);
    for dir in server_errors {
        let token = curl_token(&server.url(), "alice", "alice-secret-1");
        // Calls run as another identity read SHRIKE_AUTH_<IDENTITY>_AUTHORIZATION.
        let bob = curl_token(&server.url(), "bob", "bob-secret-1");
        let admin = curl_token(&server.url(), "admin", "admin-secret-1");
        let result = Command::new("sh")
            .arg(dir.join("repro.sh"))
            .env("SHRIKE_TARGET", server.url())
            .env("SHRIKE_AUTH_AUTHORIZATION", &token)
            .env("SHRIKE_AUTH_ALICE_AUTHORIZATION", &token)
            .env("SHRIKE_AUTH_BOB_AUTHORIZATION", &bob)
            .env("SHRIKE_AUTH_ADMIN_AUTHORIZATION", &admin)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&result.stdout);
        let last = stdout.rsplit("HTTP/1.1 ").next().unwrap_or_default();
        assert!(
            last.starts_with("500"),
            "{}: the last response is not a 500:\n{stdout}\n{}",
            dir.display(),
            String::from_utf8_lossy(&result.stderr)
        );
    }
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_half_written_case() {
    let out = temp_out("repro-kill");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    let mut seen = 0;
    for round in 0..8 {
        let mut child = Command::new(SHRIKE)
            .args(["demo", "--seed", &round.to_string(), "--time", "60s", "-q"])
            .args(["--out", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(300..2500)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for sig in case_signatures(&out) {
            let case = read_case(&out, &sig); // panics on a half-written file
            assert_eq!(case["signature"].as_str(), Some(sig.as_str()));
        }
        seen = case_signatures(&out).len();
    }
    assert!(seen >= 2, "the killed runs saved {seen} case(s)");
}

#[test]
fn corrupt_or_truncated_case_is_a_clear_error_with_exit_2() {
    let out = temp_out("repro-corrupt");
    let file = out.join("case.json");
    std::fs::write(&file, br#"{"format_version": 1, "kind": "server-err"#).unwrap();
    let result = run(SHRIKE, &["repro", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("truncated or corrupt"), "{stderr}");
    let result = run(SHRIKE, &["minimize", out.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
}

/// A copy of the shared demo output's cases in a new output folder.
fn copy_cases(name: &str) -> PathBuf {
    let src = demo_out();
    let dst = temp_out(name);
    for dir in case_dirs(src) {
        let to = dst.join("cases").join(dir.file_name().unwrap());
        std::fs::create_dir_all(&to).unwrap();
        for file in ["case.json", "repro.sh", "summary.txt"] {
            std::fs::copy(dir.join(file), to.join(file)).unwrap();
        }
    }
    for file in ["demo-api.yaml", "demo-auth.toml"] {
        std::fs::copy(src.join(file), dst.join(file)).unwrap();
    }
    dst
}

#[test]
fn fuzz_replays_saved_cases_first_and_reports_the_fixed_ones() {
    let out = copy_cases("repro-regression");
    let saved = case_signatures(&out);
    let server = DemoServer::start(true);
    let report = out.join("report.json");
    let result = run(
        SHRIKE,
        &[
            "fuzz",
            "--spec",
            out.join("demo-api.yaml").to_str().unwrap(),
            "--auth",
            out.join("demo-auth.toml").to_str().unwrap(),
            "--target",
            &server.url(),
            "--time",
            "3s",
            "--seed",
            "1",
            "-q",
            "--out",
            out.to_str().unwrap(),
            "--json",
            report.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains(&format!("replayed {} saved case(s)", saved.len())),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let fixed: Vec<&str> = json["regression"]["fixed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert_eq!(fixed, saved, "{stderr}");
    for sig in &saved {
        assert!(stderr.contains(&format!("fixed: {sig}")), "{stderr}");
    }
}

#[test]
fn minimize_rewrites_a_case_that_still_reproduces() {
    let out = copy_cases("repro-minimize");
    let dir = case_dirs(&out)
        .into_iter()
        .find(|d| {
            d.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("server-error.")
        })
        .unwrap();
    let server = DemoServer::start(false);
    let result = run(
        SHRIKE,
        &["minimize", dir.to_str().unwrap(), "--target", &server.url()],
    );
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert_eq!(result.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("rewritten in"), "{stdout}");
    let sig = dir.file_name().unwrap().to_string_lossy().into_owned();
    let case = read_case(&out, &sig);
    let m = &case["minimized"];
    assert!(
        m["calls_after"].as_u64() <= m["calls_before"].as_u64(),
        "{m}"
    );
    let script = std::fs::read_to_string(dir.join("repro.sh")).unwrap();
    assert!(script.contains("curl"));
}
