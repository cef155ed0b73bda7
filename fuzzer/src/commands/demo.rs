//! `shrike demo`: fuzz the bundled demo API for a minute, with every check on (`rate-limit`
//! included, which `fuzz` only runs when asked), as the bundled auth file's identities.
//!
//! The demo server runs as a child process (Shrike re-executes its own binary in the hidden
//! `__demo-server` mode), because one planted bug kills the process: the supervisor restarts it,
//! and the crash is a finding. The spec and the auth file are the bundled ones, written into the
//! output folder so the saved cases point at files that exist.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::CommandError;
use super::fuzz::{FuzzReport, FuzzRequest, fuzz};
use crate::config::{FileConfig, Settings};
use crate::supervise::{ChildTarget, free_port};

/// The demo's auth file: the seeded accounts of the demo API.
pub const DEMO_AUTH: &str = include_str!("../../../schemas/demo-auth.toml");

/// The hidden subcommand that serves the demo API.
pub const SERVER_SUBCOMMAND: &str = "__demo-server";

/// What `shrike demo` was asked for.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    pub time: Option<String>,
    pub execs: Option<u64>,
    pub seed: Option<u64>,
    pub out: PathBuf,
    /// Fuzz the demo with its bugs removed (to see that nothing is reported).
    pub fixed: bool,
    pub status_line: bool,
}

/// Starts the demo server as a child of `exe` and fuzzes it.
pub fn demo(
    exe: &Path,
    request: &DemoRequest,
    stop: &Arc<AtomicBool>,
    console: &mut dyn Write,
) -> Result<FuzzReport, CommandError> {
    std::fs::create_dir_all(&request.out).map_err(CommandError::io(format!(
        "cannot create {}",
        request.out.display()
    )))?;
    let spec = request.out.join("demo-api.yaml");
    let auth = request.out.join("demo-auth.toml");
    std::fs::write(&spec, shrike_demo_api::spec::YAML)
        .map_err(CommandError::io("cannot write the demo spec"))?;
    std::fs::write(&auth, DEMO_AUTH)
        .map_err(CommandError::io("cannot write the demo auth file"))?;

    let port = free_port()?;
    let addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], port));
    // The server exits when its stdin closes, so it never outlives this process (even a SIGKILL).
    let mut args = vec![
        SERVER_SUBCOMMAND.to_string(),
        "--port".into(),
        port.to_string(),
        "--exit-with-parent".into(),
    ];
    if request.fixed {
        args.push("--fixed".into());
    }
    let server = ChildTarget::start(
        &exe.display().to_string(),
        &args,
        addr,
        Duration::from_secs(10),
    )?;
    let _ = writeln!(
        console,
        "shrike: demo API{} started on http://{addr} (child process; restarted if it dies)",
        if request.fixed {
            " (--fixed: no planted bugs)"
        } else {
            ""
        }
    );
    let settings = Settings::merge(
        None,
        FileConfig {
            spec: Some(spec),
            target: Some(format!("http://{addr}")),
            time: Some(request.time.clone().unwrap_or_else(|| "60s".into())),
            execs: request.execs,
            seed: request.seed,
            out: Some(request.out.clone()),
            auth: Some(auth),
            // Every check, so a new user sees every class of finding in one command.
            check: vec!["rate-limit".into()],
            ..FileConfig::default()
        },
    )?;
    fuzz(
        FuzzRequest {
            settings,
            supervisor: Some(Box::new(server)),
            status_line: request.status_line,
            print_findings: true,
        },
        stop,
        console,
    )
}
