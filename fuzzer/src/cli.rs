//! The command line: flags only (clap derive). Each subcommand has its own `Args` struct; add a
//! variant to [`Command`] and a match arm in `main.rs` to add one.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Coverage-guided, grammar-aware fuzzer and security tester for HTTP/JSON APIs.
#[derive(Debug, Parser)]
#[command(name = "shrike", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load an OpenAPI description and print its operations and every warning.
    ///
    /// Example: `shrike inspect --spec schemas/fixtures/openapi30/petstore.yaml`
    ///
    /// Exit code 0 when the spec loads (warnings included), 2 when it cannot be loaded.
    Inspect(InspectArgs),

    /// Fuzz a running API described by an OpenAPI spec, and save every distinct finding.
    ///
    /// Example: `shrike fuzz --spec api.yaml --target http://127.0.0.1:8080 --time 10m --seed 1`
    ///
    /// Security checks only, with two identities, rate limiting included:
    /// `shrike fuzz --spec api.yaml --auth auth.toml --checks security --check rate-limit`
    ///
    /// Everything but CORS: `shrike fuzz --spec api.yaml --skip-checks cors`
    ///
    /// Exit codes: 0 no findings, 1 findings, 2 usage/spec/config error, 3 target unreachable at
    /// start, 4 internal error.
    Fuzz(Box<FuzzArgs>),

    /// Fuzz the bundled demo API (started as a child process on a free loopback port) for 60 s,
    /// logged in as the bundled auth file's identities (two customers, one admin), with every
    /// check on (`rate-limit` included), so every class of finding shows in one command.
    ///
    /// Example: `shrike demo --time 2m --seed 7 --out demo-out`
    Demo(DemoArgs),

    /// Replay a saved case and say whether its finding still shows.
    ///
    /// Example: `shrike repro shrike-out/cases/server-error.createOrder.500.1a2b3c4d`
    ///
    /// Exit codes: 1 the finding reproduces, 0 it does not (fixed), 2 corrupt or truncated case
    /// (or its spec or auth file is missing), 3 target unreachable.
    Repro(ReproArgs),

    /// Shrink a saved case further and rewrite it (case.json, repro.sh, summary.txt) atomically.
    ///
    /// Example: `shrike minimize shrike-out/cases/server-error.createOrder.500.1a2b3c4d`
    ///
    /// Exit codes as for `repro`: 1 the finding reproduces (case rewritten), 0 it does not (case
    /// left as it was), 2 unusable case, 3 target unreachable.
    Minimize(MinimizeArgs),

    /// Serve the bundled demo API (used by `shrike demo`; not for direct use).
    #[command(name = "__demo-server", hide = true)]
    DemoServer(DemoServerArgs),
}

/// Flags of `shrike fuzz`. Every flag has the same-named key in the `--config` TOML file; flags
/// win over the file.
#[derive(Debug, Args, Default)]
pub struct FuzzArgs {
    /// A TOML config file holding any of the flags below as keys (e.g. `time = "2h"`,
    /// `exclude = ["method:DELETE"]`). Example: `--config nightly.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The OpenAPI spec (2.0, 3.0 or 3.1; JSON or YAML). Example: `--spec openapi.yaml`.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,

    /// Base URL of the API; requests go nowhere else. Default: the spec's first server URL.
    /// Example: `--target http://127.0.0.1:8080/api`.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// Time budget. Example: `--time 90s`, `--time 10m`, `--time 1h30m`. Default 10m.
    #[arg(long, value_name = "DURATION")]
    pub time: Option<String>,

    /// Stop after this many executions (request sequences). Example: `--execs 100000`.
    #[arg(long, value_name = "N")]
    pub execs: Option<u64>,

    /// Random seed; the same seed, spec and target state give the same requests. Default: random,
    /// printed at start. Example: `--seed 42`.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Output folder: corpus (resumed by the next run), cases, meta.json. Default `shrike-out`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// A header added to every request; repeatable. Example: `--header 'X-Tenant: 7'`.
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
    pub header: Vec<String>,

    /// Only fuzz matching operations; repeatable. Selectors: `id:GLOB`, `path:GLOB`, `method:GET`,
    /// `tag:NAME`, or a bare operationId / `/path` glob. Example: `--include tag:orders`.
    #[arg(long, value_name = "SELECTOR")]
    pub include: Vec<String>,

    /// Never send matching operations (wins over --include); repeatable.
    /// Example: `--exclude method:DELETE --exclude 'path:/admin/*'`.
    #[arg(long, value_name = "SELECTOR")]
    pub exclude: Vec<String>,

    /// Per-request timeout. Example: `--timeout 5s`. Default 10s.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// For an https target: accept any server certificate (self-signed or expired test servers).
    /// Example: `--target https://127.0.0.1:8443 --insecure`.
    #[arg(long)]
    pub insecure: bool,

    /// For an https target: also trust the CA certificates in this PEM file (a private or
    /// company CA). Example: `--target https://api.internal:8443 --ca-cert company-ca.pem`.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,

    /// At most this many requests per second (429 and 503 answers always slow Shrike down).
    /// Example: `--rate-limit 50`.
    #[arg(long, value_name = "PER_SECOND")]
    pub rate_limit: Option<f64>,

    /// A response slower than this (confirmed by a re-run) is a finding. Default 1000. Once an
    /// operation has answered 64 times, its own limit is 32× its median latency, between a
    /// quarter of this and this. Example: `--slow-ms 2000`.
    #[arg(long, value_name = "MS")]
    pub slow_ms: Option<u64>,

    /// Which undocumented status codes are findings: `off`, `surprises` (2xx/3xx; default) or `all`.
    #[arg(long, value_name = "POLICY")]
    pub undocumented: Option<String>,

    /// Identities file (TOML or YAML): static credentials or a login operation per identity.
    /// Example: `--auth auth.toml`.
    #[arg(long, value_name = "FILE")]
    pub auth: Option<PathBuf>,

    /// Write every finding as JSON. Example: `--json shrike.json`.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Write a JUnit XML report (one test case per operation). Example: `--junit junit.xml`.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Write a SARIF 2.1.0 report. Example: `--sarif shrike.sarif`.
    #[arg(long, value_name = "PATH")]
    pub sarif: Option<PathBuf>,

    /// The most calls one request sequence may hold. Default 6.
    #[arg(long, value_name = "N")]
    pub max_calls: Option<u64>,

    /// Extra attack payloads, one per line. Example: `--dict payloads.txt`.
    #[arg(long, value_name = "FILE")]
    pub dict: Option<PathBuf>,

    /// At most this many replays to minimize each new finding before its case is final; 0 turns
    /// minimization off. Default 200. Example: `--minimize-replays 50`.
    #[arg(long, value_name = "N")]
    pub minimize_replays: Option<u64>,

    /// At most this long to minimize each new finding. Default 10s. Example: `--minimize-time 3s`.
    #[arg(long, value_name = "DURATION")]
    pub minimize_time: Option<String>,

    /// Run exactly these checks (comma-separated names or groups; see "Security checks" in the
    /// README). Names: security, lifecycle, broken-authentication, bola,
    /// broken-function-authorization, mass-assignment, injection, data-exposure, user-enumeration,
    /// missing-rate-limit (alias rate-limit), cors, information-disclosure, use-after-delete,
    /// create-not-readable, leak-after-failed-create, update-not-read-back. Default: every check
    /// except rate-limit. The response oracles (server errors, schema, status, timing) always run.
    /// Example: `--checks injection,data-exposure`.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub checks: Option<Vec<String>>,

    /// Do not run these checks (comma-separated). Example: `--skip-checks cors,lifecycle`.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub skip_checks: Vec<String>,

    /// Run this check on top of the selection; repeatable. Example: `--check rate-limit`.
    #[arg(long, value_name = "NAME")]
    pub check: Vec<String>,

    /// A shell command that resets the target to a known state, run (at most 120 s) before the
    /// campaign starts; a failing reset stops Shrike with exit code 2.
    /// Example: `--reset-cmd 'docker compose restart api && ./load-fixtures.sh'`.
    #[arg(long, value_name = "CMD")]
    pub reset_cmd: Option<String>,

    /// A shell command that brings the target back when it stops accepting connections (a crash
    /// bug killed it); Shrike waits up to 30 s for it to answer, logs in again and goes on.
    /// Without it, a crash ends the campaign. Example: `--restart-cmd 'systemctl restart api'`.
    #[arg(long, value_name = "CMD")]
    pub restart_cmd: Option<String>,

    /// No live status line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Flags of `shrike demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Time budget. Example: `--time 2m`. Default 60s.
    #[arg(long, value_name = "DURATION")]
    pub time: Option<String>,

    /// Stop after this many executions.
    #[arg(long, value_name = "N")]
    pub execs: Option<u64>,

    /// Random seed (default: random, printed). Example: `--seed 1`.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Output folder. Default `shrike-demo-out`.
    #[arg(long, value_name = "DIR", default_value = "shrike-demo-out")]
    pub out: PathBuf,

    /// Fuzz the demo with every planted bug removed: nothing should be reported.
    #[arg(long)]
    pub fixed: bool,

    /// Write the JSON report (findings, and which operations got a 2xx and when).
    /// Example: `--json demo.json`.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// No live status line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Flags of `shrike repro`.
#[derive(Debug, Args)]
pub struct ReproArgs {
    /// The case: its folder (`OUT/cases/<signature>`) or its `case.json`.
    #[arg(value_name = "CASE_DIR_OR_JSON")]
    pub case: PathBuf,

    #[command(flatten)]
    pub replay: ReplayTargetArgs,

    /// Replay up to this many times; a flaky finding shows as e.g. "reproduced 2/3". Default 3.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub runs: u32,

    /// A shell command that resets the target to a known state, run (at most 120 s) once before
    /// the replays and before logging in; a failing reset exits 2.
    /// Example: `--reset-cmd './reset-db.sh'`.
    #[arg(long, value_name = "CMD")]
    pub reset_cmd: Option<String>,
}

/// Where and how `repro` and `minimize` replay a case.
#[derive(Debug, Args)]
pub struct ReplayTargetArgs {
    /// Replay against this base URL instead of the case's target.
    /// Example: `--target http://127.0.0.1:9090`.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// Log in with this auth file instead of the one the case records. Example: `--auth auth.toml`.
    #[arg(long, value_name = "FILE")]
    pub auth: Option<PathBuf>,

    /// A header added to every request, replacing the case's header of that name; repeatable.
    /// The case resends the campaign's `--header`s itself, except secret ones (saved redacted),
    /// which must be given again. Example: `-H 'X-Api-Key: $KEY'`.
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
    pub header: Vec<String>,

    /// For an https target: accept any server certificate. Example: `--insecure`.
    #[arg(long)]
    pub insecure: bool,

    /// For an https target: also trust the CA certificates in this PEM file.
    /// Example: `--ca-cert company-ca.pem`.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,

    /// A shell command that brings the target back when a replay crashed it (then the identities
    /// log in again), so a crash case can be replayed and minimized more than once.
    /// Example: `--restart-cmd 'docker restart api'`.
    #[arg(long, value_name = "CMD")]
    pub restart_cmd: Option<String>,
}

/// Flags of `shrike minimize`.
#[derive(Debug, Args)]
pub struct MinimizeArgs {
    /// The case: its folder (`OUT/cases/<signature>`) or its `case.json`.
    #[arg(value_name = "CASE_DIR_OR_JSON")]
    pub case: PathBuf,

    #[command(flatten)]
    pub replay: ReplayTargetArgs,

    /// At most this many replays. Default 200. Example: `--max-replays 500`.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub max_replays: usize,

    /// At most this long. Default 10s. Example: `--max-time 1m`.
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub max_time: String,
}

/// Flags of the hidden demo server mode.
#[derive(Debug, Args)]
pub struct DemoServerArgs {
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    #[arg(long)]
    pub port: u16,
    #[arg(long)]
    pub fixed: bool,
    /// Exit when standard input closes (the parent Shrike died).
    #[arg(long)]
    pub exit_with_parent: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The spec to load: Swagger 2.0, OpenAPI 3.0 or 3.1, JSON or YAML. Relative `$ref`s are
    /// resolved against its directory. Example: `--spec api/openapi.yaml`.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,

    /// Print a machine-readable JSON summary instead of text: `{"operations": N, "warnings":
    /// [...], "operation_list": [...], ...}`. Example: `--json | jq .operations`.
    #[arg(long)]
    pub json: bool,
}

impl FuzzArgs {
    /// The flags as the optional-field config the config file also fills.
    pub fn file_config(&self) -> crate::config::FileConfig {
        crate::config::FileConfig {
            spec: self.spec.clone(),
            target: self.target.clone(),
            time: self.time.clone(),
            execs: self.execs,
            seed: self.seed,
            out: self.out.clone(),
            header: self.header.clone(),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            timeout: self.timeout.clone(),
            insecure: self.insecure.then_some(true),
            ca_cert: self.ca_cert.clone(),
            rate_limit: self.rate_limit,
            slow_ms: self.slow_ms,
            undocumented: self.undocumented.clone(),
            auth: self.auth.clone(),
            json: self.json.clone(),
            junit: self.junit.clone(),
            sarif: self.sarif.clone(),
            max_calls: self.max_calls,
            dict: self.dict.clone(),
            minimize_replays: self.minimize_replays,
            minimize_time: self.minimize_time.clone(),
            checks: self.checks.clone(),
            skip_checks: self.skip_checks.clone(),
            check: self.check.clone(),
            reset_cmd: self.reset_cmd.clone(),
            restart_cmd: self.restart_cmd.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn inspect_parses() {
        let cli = Cli::try_parse_from(["shrike", "inspect", "--spec", "a.yaml", "--json"]).unwrap();
        let Command::Inspect(args) = cli.command else {
            panic!("inspect")
        };
        assert_eq!(args.spec, PathBuf::from("a.yaml"));
        assert!(args.json);
    }
}
