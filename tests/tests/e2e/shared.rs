//! The demo campaigns several test files judge, each run once per test process on first use: a
//! one-minute `shrike demo --seed 1` against the demo with its bugs, and a 90-second one against
//! the demo without them (`--fixed`). Sharing them keeps the suite's wall time down; the tests
//! only read what the runs left.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;
use shrike_e2e::{case_signatures, run, temp_out};

use crate::SHRIKE;

/// What one `shrike demo` run left: its output folder, exit code and stderr.
pub struct DemoRun {
    pub out: PathBuf,
    pub code: Option<i32>,
    pub stderr: String,
}

impl DemoRun {
    fn start(name: &str, time: &str, extra: &[&str]) -> DemoRun {
        let out = temp_out(name);
        let json = out.join("report.json");
        let mut args = vec![
            "demo",
            "--seed",
            "1",
            "--time",
            time,
            "-q",
            "--out",
            out.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let result = run(SHRIKE, &args);
        DemoRun {
            out,
            code: result.status.code(),
            stderr: String::from_utf8_lossy(&result.stderr).into_owned(),
        }
    }

    /// The signatures of its cases, sorted.
    pub fn signatures(&self) -> Vec<String> {
        case_signatures(&self.out)
    }

    /// Its `--json` report.
    pub fn report(&self) -> Value {
        let path = self.out.join("report.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), self.stderr));
        serde_json::from_str(&text).unwrap()
    }
}

/// `shrike demo --seed 1 --time 60s` against the demo with its bugs.
pub fn seed_1_bugs() -> &'static DemoRun {
    static RUN: OnceLock<DemoRun> = OnceLock::new();
    RUN.get_or_init(|| DemoRun::start("shared-bugs", "60s", &[]))
}

/// `shrike demo --seed 1 --time 90s --fixed`: every check against the demo without its bugs.
pub fn seed_1_fixed() -> &'static DemoRun {
    static RUN: OnceLock<DemoRun> = OnceLock::new();
    RUN.get_or_init(|| DemoRun::start("shared-fixed", "90s", &["--fixed"]))
}
