//! `--restart-cmd` against a target Shrike does not supervise: the demo API started by a shell
//! command on a fixed loopback port. A crash bug (BUG-15) kills it; the campaign restarts it and
//! goes on, and `repro` replays the crash case three times, restarting the target after each.

use std::path::Path;
use std::time::{Duration, Instant};

use shrike::supervise::free_port;
use shrike_e2e::{case_signatures, run, temp_out};

use crate::SHRIKE;

/// Kills every demo server the restart command started (their pids are in `pids`).
struct Servers<'a> {
    pids: &'a Path,
}

impl Drop for Servers<'_> {
    fn drop(&mut self) {
        let pids = std::fs::read_to_string(self.pids).unwrap_or_default();
        for pid in pids.split_whitespace() {
            let _ = std::process::Command::new("kill")
                .arg(pid)
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the demo never listened on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn repo_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.join(path).to_string_lossy().into_owned()
}

#[test]
fn a_crashed_target_is_restarted_by_the_command_and_the_crash_case_replays() {
    let out = temp_out("restart");
    let pids = out.join("pids");
    let _servers = Servers { pids: &pids };
    let port = free_port().unwrap();
    let restart = format!(
        "'{SHRIKE}' __demo-server --port {port} > /dev/null 2>&1 < /dev/null & echo $! >> '{}'",
        pids.display()
    );
    let started = std::process::Command::new("sh")
        .args(["-c", &restart])
        .status()
        .unwrap();
    assert!(started.success());
    wait_listening(port);

    let url = format!("http://127.0.0.1:{port}");
    let spec = repo_file("schemas/demo-api.yaml");
    let auth = repo_file("schemas/demo-auth.toml");
    let out_s = out.join("run");
    let out_s = out_s.to_str().unwrap();
    let result = run(
        SHRIKE,
        &[
            "fuzz",
            "--spec",
            &spec,
            "--target",
            &url,
            "--auth",
            &auth,
            "--include",
            "id:createAttachment",
            "--skip-checks",
            "security",
            "--restart-cmd",
            &restart,
            "--seed",
            "1",
            "--time",
            "15s",
            "-q",
            "--out",
            out_s,
        ],
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    let sigs = case_signatures(Path::new(out_s));
    let crash = sigs
        .iter()
        .find(|s| s.starts_with("target-crash.createAttachment."))
        .unwrap_or_else(|| panic!("{sigs:#?}\n{stderr}"));
    let restarts: u64 = stderr
        .split(" target restarts")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no restart count in:\n{stderr}"));
    assert!(restarts >= 1, "{stderr}");

    // Replayed three times: each replay kills the demo and the command brings it back.
    wait_listening(port);
    let case = Path::new(out_s).join("cases").join(crash);
    let case = case.to_str().unwrap();
    let replayed = run(
        SHRIKE,
        &["repro", case, "--target", &url, "--restart-cmd", &restart],
    );
    let text = String::from_utf8_lossy(&replayed.stdout);
    assert_eq!(replayed.status.code(), Some(1), "{text}");
    assert!(text.contains("reproduced 3/3"), "{text}");

    // Without the command, the first crash ends the replays.
    wait_listening(port);
    let once = run(SHRIKE, &["repro", case, "--target", &url]);
    let text = String::from_utf8_lossy(&once.stdout);
    assert_eq!(once.status.code(), Some(1), "{text}");
    assert!(text.contains("reproduced 1/1"), "{text}");
}
