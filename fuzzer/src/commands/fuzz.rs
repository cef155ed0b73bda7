//! `shrike fuzz`: load the spec, check the target, log in, run the campaign, write cases and
//! reports, and say what was found.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::CommandError;
use super::setup;
use crate::campaign::feedback::{FindingSink, NewFinding};
use crate::campaign::fuzz::{self, CampaignConfig, CampaignOutcome, StopReason};
use crate::campaign::runner::{RunnerConfig, SeqRunner, Supervisor};
use crate::cases::format::{AuthRef, SpecRef};
use crate::cases::regress::{self, RegressionOutcome};
use crate::cases::{CaseContext, CaseStore, write_atomic};
use crate::config::Settings;
use crate::exit;
use crate::minimize::Relogin;
use crate::spec::Model;

/// One `fuzz` run as the binary (or `demo`, or a test) asks for it.
pub struct FuzzRequest {
    pub settings: Settings,
    /// Restarts the target when it dies (the demo's child process, `--target-cmd`).
    pub supervisor: Option<Box<dyn Supervisor>>,
    pub status_line: bool,
    /// Print each new finding as it is found.
    pub print_findings: bool,
}

/// What a finished run produced.
#[derive(Debug)]
pub struct FuzzReport {
    pub spec: PathBuf,
    pub seed: u64,
    pub target: String,
    pub outcome: CampaignOutcome,
    pub model: Arc<Model>,
    pub out: PathBuf,
    /// The replay of the cases saved by earlier runs (none when there were none).
    pub regression: Option<RegressionOutcome>,
}

impl FuzzReport {
    /// 1 when any finding is on record for this output folder, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.outcome.hits.is_empty() {
            exit::NO_FINDINGS
        } else {
            exit::FINDINGS
        }
    }
}

/// Writes each new finding to the case store, then (optionally) prints it.
struct ReportingSink<'a> {
    store: CaseStore,
    console: &'a mut dyn Write,
    print: bool,
}

impl FindingSink for ReportingSink<'_> {
    fn withdraw(&mut self, finding: &NewFinding) -> std::io::Result<()> {
        self.store.withdraw(finding)?;
        if self.print {
            let f = &finding.finding;
            writeln!(
                self.console,
                "withdrawn: {} {} did not show again on replay (the target died of an earlier request)",
                f.kind, f.operation
            )?;
        }
        Ok(())
    }

    fn record_minimized(
        &mut self,
        original: &NewFinding,
        minimized: &NewFinding,
        stats: &crate::minimize::MinimizeStats,
    ) -> std::io::Result<()> {
        self.store.record_minimized(original, minimized, stats)
    }

    fn record(&mut self, finding: &NewFinding) -> std::io::Result<()> {
        self.store.record(finding)?;
        if self.print {
            let f = &finding.finding;
            let status = f.status.map_or_else(|| "-".to_string(), |s| s.to_string());
            // On a terminal, first clear the status line being redrawn.
            let clear = if std::io::stderr().is_terminal() {
                "\r\x1b[2K"
            } else {
                ""
            };
            writeln!(
                self.console,
                "{clear}new finding: {} {} [{status}] {}",
                f.kind, f.operation, f.detail
            )?;
        }
        Ok(())
    }
}

/// Runs a whole `fuzz` command.
pub fn fuzz(
    request: FuzzRequest,
    stop: &Arc<AtomicBool>,
    console: &mut dyn Write,
) -> Result<FuzzReport, CommandError> {
    let settings = &request.settings;
    let full = setup::load_spec(&settings.spec)?;
    let model = setup::filter_model(&full, &settings.filter)?;
    let target = setup::target(settings.target.as_deref(), &model)?;
    if let Some(cmd) = &settings.reset_cmd {
        super::reset::run_reset(cmd, super::reset::RESET_TIMEOUT)?;
    }
    setup::check_reachable(&target)?;
    let seed = settings.seed.unwrap_or_else(setup::fresh_seed);
    let _ = writeln!(
        console,
        "shrike: fuzzing {} ({} operations) at {target}, seed {seed}, budget {}{}",
        settings.spec.display(),
        model.operations.len(),
        crate::config::format_duration(settings.time),
        settings
            .execs
            .map(|n| format!(" or {n} executions"))
            .unwrap_or_default(),
    );
    let mut transport = setup::transport(&target, settings)?;
    let (identities, auth_file) =
        setup::identities(settings.auth.as_deref(), &full, &target, &mut transport)?;
    let ctx = setup::seq_context(&model, settings.dict.as_deref())?;
    let runner_config = RunnerConfig {
        oracle: settings.oracle_config(),
        extra_headers: settings.headers.clone(),
        max_calls: settings.max_calls,
    };
    let (mut runner, probers) = super::checks::runner(super::checks::RunnerParts {
        target: target.clone(),
        transport,
        identities,
        config: runner_config,
        ctx: &ctx,
        auth_file: auth_file.as_ref(),
        settings,
    });
    let supervisor = request.supervisor.or_else(|| {
        let cmd = settings.restart_cmd.as_deref()?;
        Some(Box::new(super::restart::CommandSupervisor::new(cmd, &target)) as Box<_>)
    });
    if let Some(supervisor) = supervisor {
        runner = runner.with_supervisor(supervisor);
    }

    let out = settings.out.clone();
    std::fs::create_dir_all(&out)
        .map_err(CommandError::io(format!("cannot create {}", out.display())))?;
    let spec_ref = SpecRef {
        path: settings.spec.display().to_string(),
        sha256: setup::file_sha256(&settings.spec),
    };
    write_meta(&out, &spec_ref, &target.to_string(), seed, settings, None)?;
    let store = CaseStore::open(
        &out,
        CaseContext {
            model: Arc::clone(&model),
            seed,
            spec: spec_ref.clone(),
            target: target.to_string(),
            auth: settings
                .auth
                .as_ref()
                .zip(auth_file.as_ref())
                .map(|(path, file)| AuthRef {
                    path: path.display().to_string(),
                    identities: file.identities.iter().map(|i| i.name.clone()).collect(),
                }),
            secret_headers: secret_headers(auth_file.as_ref()),
            headers: settings.headers.clone(),
            slow_ms: u64::try_from(settings.slow.as_millis()).ok(),
        },
    )
    .map_err(CommandError::io("cannot create the cases folder"))?;
    let known = store.known();
    let regression_started = std::time::Instant::now();
    let relogin = relogin(&target, settings, &full);
    let regression = replay_saved_cases(&store, &mut runner, settings, &relogin, console)?;
    let config = CampaignConfig {
        seed,
        // Regression replay comes out of the budget.
        time: Some(
            settings
                .time
                .saturating_sub(regression_started.elapsed())
                .max(std::time::Duration::from_secs(1)),
        ),
        execs: settings.execs,
        corpus_dir: out.join("corpus"),
        status_line: request.status_line,
        minimize: settings.minimize,
        relogin: Some(relogin),
    };
    let mut sink = ReportingSink {
        store,
        console,
        print: request.print_findings,
    };
    let outcome = fuzz::run(ctx, runner, &config, &known, &mut sink, stop, probers)?;
    sink.store
        .update_hits(&outcome.hits)
        .map_err(CommandError::io("cannot update the cases"))?;
    write_meta(
        &out,
        &spec_ref,
        &target.to_string(),
        seed,
        settings,
        Some(&outcome),
    )?;
    if outcome.stop == StopReason::TargetDown {
        let _ = writeln!(
            sink.console,
            "shrike: the target stopped answering and nothing could restart it (run it under a supervisor that restarts it, then resume with the same --out); stopping"
        );
    }
    Ok(FuzzReport {
        spec: settings.spec.clone(),
        seed,
        target: target.to_string(),
        outcome,
        model,
        out,
        regression,
    })
}

/// Replays the cases earlier runs saved (bounded) and says which are fixed. A target restarted by
/// a replay has forgotten its sessions, so the identities log in again afterwards.
fn replay_saved_cases(
    store: &CaseStore,
    runner: &mut SeqRunner<setup::LiveTransport>,
    settings: &Settings,
    relogin: &Relogin,
    console: &mut dyn Write,
) -> Result<Option<RegressionOutcome>, CommandError> {
    if store.known().is_empty() {
        return Ok(None);
    }
    let restarts = runner.stats.restarts;
    let outcome = regress::replay_saved(store.dir(), runner, regress::budget(settings.time));
    relogin.after_restart(runner, restarts);
    let _ = writeln!(
        console,
        "shrike: replayed {} saved case(s): {} still fail, {} fixed{}",
        outcome.replayed(),
        outcome.still_failing.len(),
        outcome.fixed.len(),
        if outcome.skipped > 0 {
            format!(", {} skipped (bounds or unreadable)", outcome.skipped)
        } else {
            String::new()
        }
    );
    Ok(Some(outcome))
}

/// Logs the run's identities in again, for replays that restarted the target.
fn relogin(target: &crate::transport::Target, settings: &Settings, model: &Arc<Model>) -> Relogin {
    let connect_with = settings.clone();
    setup::relogin(target, settings.auth.clone(), model, move |target| {
        setup::transport(target, &connect_with).ok()
    })
}

/// Header names the case store must redact: those the auth file sets.
pub(crate) fn secret_headers(auth: Option<&crate::auth::AuthFile>) -> Vec<String> {
    let Some(file) = auth else { return Vec::new() };
    let mut names: Vec<String> = file
        .identities
        .iter()
        .flat_map(|i| {
            i.headers
                .keys()
                .cloned()
                .chain(i.login.iter().map(|l| l.header.clone()))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `OUT/meta.json`: what ran, against what, with which seed and budget, and how it ended.
fn write_meta(
    out: &Path,
    spec: &SpecRef,
    target: &str,
    seed: u64,
    settings: &Settings,
    outcome: Option<&CampaignOutcome>,
) -> Result<(), CommandError> {
    let meta = json!({
        "tool": "shrike",
        "version": env!("CARGO_PKG_VERSION"),
        "spec": spec.path,
        "spec_sha256": spec.sha256,
        "target": target,
        "seed": seed,
        "budget": {"time_s": settings.time.as_secs_f64(), "execs": settings.execs},
        "reset_cmd": settings.reset_cmd,
        "restart_cmd": settings.restart_cmd,
        "finished": outcome.is_some(),
        "execs": outcome.map(|o| o.execs),
        "elapsed_s": outcome.map(|o| o.elapsed.as_secs_f64()),
        "stop": outcome.map(|o| format!("{:?}", o.stop)),
        "findings": outcome.map(|o| o.hits.len()),
    });
    let bytes = serde_json::to_vec_pretty(&meta).map_err(|e| CommandError::Usage(e.to_string()))?;
    write_atomic(&out.join("meta.json"), &bytes).map_err(CommandError::io("cannot write meta.json"))
}
