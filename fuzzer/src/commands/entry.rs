//! The command-line entry point: parse the flags, dispatch to a command, map the result to an
//! exit code. The `shrike` binary is a one-line call to [`main_with_args`]; the end-to-end test
//! crate builds a binary from it too.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands::{self, CommandError, demo, fuzz};
use crate::config::{ConfigFile, Settings};
use crate::exit;
use crate::inspect::{self, InspectError};

/// Runs the command line `args` (program name first) and returns the process exit code.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                exit::USAGE
            } else {
                exit::NO_FINDINGS
            };
        }
    };
    init_logging();
    match cli.command {
        Command::Inspect(args) => run_inspect(&args),
        Command::Fuzz(args) => run_fuzz(&args),
        Command::Demo(args) => run_demo(&args),
        Command::Repro(args) => run_repro(&args),
        Command::Minimize(args) => run_minimize(&args),
        Command::DemoServer(args) => {
            if args.exit_with_parent {
                exit_when_stdin_closes();
            }
            let options = shrike_demo_api::Options { fixed: args.fixed };
            match shrike_demo_api::run(&args.host, args.port, options) {
                Ok(()) => exit::NO_FINDINGS,
                Err(err) => {
                    eprintln!("shrike: demo server: {err:#}");
                    exit::INTERNAL
                }
            }
        }
    }
}

/// Exits the process when standard input reaches end of file: the supervising Shrike holds the
/// other end of that pipe, so its death (even by SIGKILL) ends the demo server too.
fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
}

/// Quiet by default (warnings only); `RUST_LOG` turns more on.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A flag set by Ctrl-C (and SIGTERM): the campaign stops cleanly and writes everything.
fn stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(err) = signal_hook::flag::register(signal, Arc::clone(&stop)) {
            tracing::warn!("cannot watch signal {signal}: {err}");
        }
    }
    stop
}

fn run_inspect(args: &crate::cli::InspectArgs) -> i32 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match inspect::run(args, &mut out) {
        Ok(()) => exit::NO_FINDINGS,
        Err(err @ InspectError::Spec(_)) => {
            eprintln!("shrike: {err}");
            exit::USAGE
        }
        // A closed pipe (`shrike inspect ... | head`) is the reader's choice, not a failure.
        Err(InspectError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::NO_FINDINGS,
        Err(err @ InspectError::Io(_)) => {
            eprintln!("shrike: {err}");
            exit::INTERNAL
        }
    }
}

fn run_fuzz(args: &crate::cli::FuzzArgs) -> i32 {
    let settings = match load_settings(args) {
        Ok(s) => s,
        Err(err) => return fail(&err),
    };
    let reports = settings.reports.clone();
    let stop = stop_flag();
    let mut console = std::io::stderr();
    let request = fuzz::FuzzRequest {
        settings,
        supervisor: None,
        status_line: !args.quiet,
        print_findings: true,
    };
    finish(fuzz::fuzz(request, &stop, &mut console), &reports)
}

fn load_settings(args: &crate::cli::FuzzArgs) -> Result<Settings, CommandError> {
    let file = args.config.as_deref().map(ConfigFile::load).transpose()?;
    Ok(Settings::merge(file, args.file_config())?)
}

fn run_demo(args: &crate::cli::DemoArgs) -> i32 {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("shrike: cannot find my own executable to start the demo server: {err}");
            return exit::INTERNAL;
        }
    };
    let request = demo::DemoRequest {
        time: args.time.clone(),
        execs: args.execs,
        seed: args.seed,
        out: args.out.clone(),
        fixed: args.fixed,
        status_line: !args.quiet,
    };
    let stop = stop_flag();
    let mut console = std::io::stderr();
    let reports = crate::config::ReportPaths {
        json: args.json.clone(),
        ..crate::config::ReportPaths::default()
    };
    finish(demo::demo(&exe, &request, &stop, &mut console), &reports)
}

fn run_repro(args: &crate::cli::ReproArgs) -> i32 {
    let replay = match replay_options(&args.replay) {
        Ok(replay) => replay,
        Err(code) => return code,
    };
    let request = commands::repro::ReproRequest {
        case: args.case.clone(),
        replay,
        runs: args.runs,
        reset_cmd: args.reset_cmd.clone(),
    };
    let mut out = std::io::stdout();
    match commands::repro::repro(&request, &mut out) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => fail(&err),
    }
}

fn run_minimize(args: &crate::cli::MinimizeArgs) -> i32 {
    let max_time = match crate::config::parse_duration(&args.max_time) {
        Ok(d) => d,
        Err(err) => {
            eprintln!("shrike: --max-time: {err}");
            return exit::USAGE;
        }
    };
    let replay = match replay_options(&args.replay) {
        Ok(replay) => replay,
        Err(code) => return code,
    };
    let request = commands::minimize::MinimizeRequest {
        case: args.case.clone(),
        replay,
        config: crate::minimize::MinimizeConfig {
            max_replays: args.max_replays,
            max_time,
        },
    };
    let mut out = std::io::stdout();
    match commands::minimize::minimize(&request, &mut out) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => fail(&err),
    }
}

/// The replay flags of `repro` and `minimize`, checked; a bad `--header` exits 2.
fn replay_options(
    args: &crate::cli::ReplayTargetArgs,
) -> Result<commands::repro::ReplayOptions, i32> {
    let headers = args
        .header
        .iter()
        .map(|h| crate::config::parse_header(h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| {
            eprintln!("shrike: --header: {err}");
            exit::USAGE
        })?;
    Ok(commands::repro::ReplayOptions {
        target: args.target.clone(),
        auth: args.auth.clone(),
        headers,
        tls: crate::transport::TlsOptions {
            insecure: args.insecure,
            ca_cert: args.ca_cert.clone(),
        },
        restart_cmd: args.restart_cmd.clone(),
    })
}

/// Writes the reports, prints the summary (or the error) and returns the exit code.
fn finish(
    result: Result<fuzz::FuzzReport, CommandError>,
    reports: &crate::config::ReportPaths,
) -> i32 {
    match result {
        Ok(report) => {
            let input = commands::summary::report_input(&report);
            let mut err = std::io::stderr();
            let _ = write!(err, "{}", commands::summary::render(&report, &input));
            if let Err(message) = commands::summary::write_reports(reports, &input) {
                eprintln!("shrike: {message}");
                return exit::INTERNAL;
            }
            report.exit_code()
        }
        Err(err) => fail(&err),
    }
}

fn fail(err: &CommandError) -> i32 {
    eprintln!("shrike: {err}");
    err.exit_code()
}
