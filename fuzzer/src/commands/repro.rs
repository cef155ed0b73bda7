//! `shrike repro`: replay a saved case against its target (or another one) and say whether the
//! same signature shows again. Also the shared set-up of `shrike minimize`: load the case, find
//! its spec and auth file, log in afresh the way the campaign did, and build the same runner.
//!
//! Exit codes: 1 the finding reproduces, 0 it does not (fixed), 2 the case (or its spec or auth
//! file) cannot be used, 3 the target is unreachable.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CommandError;
use super::restart::CommandSupervisor;
use super::setup::{self, LiveTransport};
use crate::campaign::runner::{RunnerConfig, SeqRun, SeqRunner};
use crate::cases::{CaseFile, load_case};
use crate::config::OperationFilter;
use crate::exit;
use crate::minimize::{Relogin, replay_matches};
use crate::oracle::{OracleConfig, UndocumentedPolicy};
use crate::spec::Model;
use crate::transport::{
    Scheme, Target, TcpTransport, ThrottleConfig, Throttled, TlsOptions, TransportConfig,
};

/// Where and how a case is replayed (`repro` and `minimize`).
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Replay here instead of the case's own target.
    pub target: Option<String>,
    /// Use this auth file instead of the one the case records.
    pub auth: Option<PathBuf>,
    /// Headers for every request; they replace the case's headers of the same name.
    pub headers: Vec<(String, String)>,
    pub tls: TlsOptions,
    /// Restarts the target when a replay crashed it (`--restart-cmd`).
    pub restart_cmd: Option<String>,
}

/// What `shrike repro` was asked for.
#[derive(Debug, Clone)]
pub struct ReproRequest {
    /// A case folder or its `case.json`.
    pub case: PathBuf,
    pub replay: ReplayOptions,
    /// Replay up to this many times (a flaky finding shows as e.g. 2/3).
    pub runs: u32,
    /// Runs first, to put the target into a known state (`--reset-cmd`).
    pub reset_cmd: Option<String>,
}

/// How the replays went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReproOutcome {
    pub runs: u32,
    pub reproduced: u32,
}

impl ReproOutcome {
    /// 1 when the finding showed at least once, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.reproduced > 0 {
            exit::FINDINGS
        } else {
            exit::NO_FINDINGS
        }
    }
}

/// A case ready to replay: the case, its folder, and a runner logged in against the target.
pub struct Replay {
    pub case: CaseFile,
    pub case_dir: PathBuf,
    pub model: Arc<Model>,
    pub runner: SeqRunner<LiveTransport>,
    /// Header names the auth configuration sets (redacted when the case is rewritten).
    pub secret_headers: Vec<String>,
    /// Logs the identities in again after the target was restarted.
    pub relogin: Relogin,
}

/// Loads the case and builds a runner against `target` (default: the case's) with fresh
/// credentials from `auth` (default: the auth file the case records).
pub fn prepare(
    case_path: &Path,
    options: &ReplayOptions,
    console: &mut dyn Write,
) -> Result<Replay, CommandError> {
    let case = load_case(case_path)?;
    let case_dir = if case_path.is_dir() {
        case_path.to_path_buf()
    } else {
        case_path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let spec = recorded_file(&case.spec.path, &case_dir).ok_or_else(|| {
        CommandError::Usage(format!(
            "the case's spec {} was not found (nor next to the case's output folder)",
            case.spec.path
        ))
    })?;
    if setup::file_sha256(&spec) != case.spec.sha256 {
        let _ = writeln!(
            console,
            "warning: {} changed since the case was saved (sha256 differs); replaying anyway",
            spec.display()
        );
    }
    let model = setup::load_model(&spec, &OperationFilter::default())?;
    let target = setup::target(
        Some(options.target.as_deref().unwrap_or(&case.target)),
        &model,
    )?;
    setup::check_reachable(&target)?;
    let mut transport = replay_transport(&target, &options.tls)?;
    let auth_path = auth_path(options.auth.as_deref(), &case, &case_dir)?;
    let (identities, auth_file) =
        setup::identities(auth_path.as_deref(), &model, &target, &mut transport)?;
    let mut config = runner_config(&case);
    config.extra_headers = replay_headers(&case.headers, &options.headers, console);
    let ctx = setup::seq_context(&model, None)?;
    let settings = super::checks::replay_settings(&spec, case.kind);
    let (mut runner, _probers) = super::checks::runner(super::checks::RunnerParts {
        target: target.clone(),
        transport,
        identities,
        config,
        ctx: &ctx,
        auth_file: auth_file.as_ref(),
        settings: &settings,
    });
    if let Some(cmd) = &options.restart_cmd {
        runner = runner.with_supervisor(Box::new(CommandSupervisor::new(cmd, &target)));
    }
    let tls = options.tls.clone();
    let relogin = setup::relogin(&target, auth_path, &model, move |target| {
        replay_transport(target, &tls).ok()
    });
    Ok(Replay {
        case,
        case_dir,
        model,
        runner,
        secret_headers: super::fuzz::secret_headers(auth_file.as_ref()),
        relogin,
    })
}

/// The replay's transport. A replay waits a little after a 429/503 (a rate-limit case provokes
/// them) but is never stalled by a long `Retry-After`. An https target is connected to now, so an
/// untrusted certificate is reported at once (exit 3) with the flags that fix it.
fn replay_transport(target: &Target, tls: &TlsOptions) -> Result<LiveTransport, CommandError> {
    let mut tcp = TcpTransport::for_target(target.clone(), TransportConfig::default(), tls)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    if target.scheme == Scheme::Https {
        tcp.open().map_err(|reason| CommandError::Unreachable {
            target: target.to_string(),
            reason,
        })?;
    }
    let throttle = ThrottleConfig {
        retry_after_max: std::time::Duration::from_secs(5),
        backoff_max: std::time::Duration::from_secs(5),
        ..ThrottleConfig::with_rate_limit(None)
    };
    Ok(Throttled::new(tcp, throttle))
}

/// The headers a replay sends with every request: the campaign's (as the case saved them),
/// replaced by name by the ones given now. A header saved redacted and not given again is left
/// out, with a warning that names it.
pub fn replay_headers(
    saved: &[(String, String)],
    given: &[(String, String)],
    console: &mut dyn Write,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in saved {
        if given.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        if value == crate::cases::format::REDACTED {
            let _ = writeln!(
                console,
                "warning: the campaign sent header {name}, saved redacted; pass -H '{name}: ...' to send it"
            );
            continue;
        }
        out.push((name.clone(), value.clone()));
    }
    out.extend(given.iter().cloned());
    out
}

/// The auth file to log in with: `--auth`, else the one the case records (found like the spec).
fn auth_path(
    given: Option<&Path>,
    case: &CaseFile,
    case_dir: &Path,
) -> Result<Option<PathBuf>, CommandError> {
    match (given, &case.auth) {
        (Some(path), _) => Ok(Some(path.to_path_buf())),
        (None, Some(recorded)) => recorded_file(&recorded.path, case_dir)
            .map(Some)
            .ok_or_else(|| {
                CommandError::Usage(format!(
                    "the case's auth file {} was not found; pass --auth FILE",
                    recorded.path
                ))
            }),
        (None, None) => Ok(None),
    }
}

/// The runner settings of a replay: every undocumented status checked (the signature decides
/// what matches) and the campaign's slow-response threshold.
fn runner_config(case: &CaseFile) -> RunnerConfig {
    RunnerConfig {
        oracle: OracleConfig {
            undocumented: UndocumentedPolicy::All,
            slow: case.slow_ms.map_or(OracleConfig::default().slow, |ms| {
                std::time::Duration::from_millis(ms)
            }),
        },
        ..RunnerConfig::default()
    }
}

/// Replays a case up to `runs` times, printing each request and response.
pub fn repro(
    request: &ReproRequest,
    console: &mut dyn Write,
) -> Result<ReproOutcome, CommandError> {
    if request.runs == 0 {
        return Err(CommandError::Usage("--runs must be at least 1".into()));
    }
    if let Some(cmd) = &request.reset_cmd {
        super::reset::run_reset(cmd, super::reset::RESET_TIMEOUT)?;
    }
    let mut replay = prepare(&request.case, &request.replay, console)?;
    let case = &replay.case;
    let _ = writeln!(
        console,
        "replaying {} ({}, {} call(s))",
        case.signature,
        case.detail,
        case.sequence.calls.len()
    );
    let mut outcome = ReproOutcome {
        runs: 0,
        reproduced: 0,
    };
    for run in 1..=request.runs {
        if replay.runner.target_down() {
            let _ = writeln!(
                console,
                "the target stopped answering (the replay may have crashed it): {} replay(s) left undone",
                request.runs - outcome.runs
            );
            break;
        }
        outcome.runs += 1;
        let _ = writeln!(console, "replay {run}/{}:", request.runs);
        let restarts = replay.runner.stats.restarts;
        if replay_once(&mut replay, console) {
            outcome.reproduced += 1;
        }
        if replay.runner.stats.restarts > restarts {
            let _ = writeln!(console, "  (the target was restarted with --restart-cmd)");
        }
        replay.relogin.after_restart(&mut replay.runner, restarts);
    }
    let verdict = match (outcome.reproduced, outcome.runs) {
        (0, _) => "does not reproduce (fixed?)",
        (k, n) if k == n => "reproduces",
        _ => "reproduces sometimes (flaky)",
    };
    let _ = writeln!(
        console,
        "{}: reproduced {}/{}: {verdict}",
        replay.case.signature, outcome.reproduced, outcome.runs
    );
    Ok(outcome)
}

/// One replay, printed; true when the case's signature showed.
fn replay_once(replay: &mut Replay, console: &mut dyn Write) -> bool {
    let case = &replay.case;
    match replay_matches(&mut replay.runner, &case.sequence, &case.signature) {
        Ok(found) => {
            print_run(console, &found.run, &replay.model);
            let _ = writeln!(console, "  reproduced: {}", found.finding.detail);
            true
        }
        Err(run) => {
            print_run(console, &run, &replay.model);
            let others: Vec<&str> = run.findings.iter().map(|f| f.signature.as_str()).collect();
            let _ = writeln!(
                console,
                "  not reproduced{}",
                if others.is_empty() {
                    String::new()
                } else {
                    format!(" (other findings: {})", others.join(", "))
                }
            );
            false
        }
    }
}

/// One short line per request and per response.
pub fn print_run(console: &mut dyn Write, run: &SeqRun, model: &Model) {
    for ex in &run.exchanges {
        let op = &model.operations[ex.op].id;
        let body = if ex.request.body.is_empty() {
            String::new()
        } else {
            format!(" ({} body bytes)", ex.request.body.len())
        };
        let _ = writeln!(
            console,
            "  → {} {} [{op}]{body}",
            ex.request.method, ex.request.path_and_query
        );
        let _ = match &ex.outcome {
            Ok(resp) => {
                let text = String::from_utf8_lossy(&resp.body);
                let excerpt: String = text
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .take(100)
                    .collect();
                writeln!(
                    console,
                    "  ← {} in {:.1} ms {excerpt}",
                    resp.status,
                    resp.latency.as_secs_f64() * 1000.0
                )
            }
            Err(error) => writeln!(console, "  ← no response: {error:?}"),
        };
    }
}

/// A file a case records: the path as recorded, else the same file name in the output folder the
/// case lives in (`OUT/cases/<signature>/` → `OUT/`), so a moved output folder still replays.
fn recorded_file(recorded: &str, case_dir: &Path) -> Option<PathBuf> {
    let path = PathBuf::from(recorded);
    if path.is_file() {
        return Some(path);
    }
    let out = case_dir.parent()?.parent()?;
    let beside = out.join(path.file_name()?);
    beside.is_file().then_some(beside)
}

#[cfg(test)]
#[path = "repro_tests.rs"]
mod tests;
