//! [`Settings`]: the validated, typed configuration of one `fuzz` run.
//!
//! Precedence: a command-line flag wins over the config file, which wins over the defaults. Two
//! lists combine instead: `exclude` selectors from both sources all apply (a flag must never
//! re-enable an operation a checked-in file forbids), and headers from both are sent, a flag
//! replacing a file header of the same name. `include` from the command line replaces the file's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::duration::parse_duration;
use super::error::{ConfigError, Origin};
use super::file::{ConfigFile, FileConfig};
use super::filter::OperationFilter;
use crate::minimize::MinimizeConfig;
use crate::oracle::{OracleConfig, UndocumentedPolicy};
use crate::transport::{Target, ThrottleConfig, TlsOptions, TransportConfig};

/// Default time budget.
pub const DEFAULT_TIME: Duration = Duration::from_secs(600);
/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default slow-response threshold in milliseconds.
pub const DEFAULT_SLOW_MS: u64 = 1000;
/// Default maximum number of calls in one request sequence.
pub const DEFAULT_MAX_CALLS: usize = 6;
/// The largest accepted `max-calls`.
pub const MAX_MAX_CALLS: usize = 64;
/// Default output directory.
pub const DEFAULT_OUT: &str = "shrike-out";

/// Where the requested reports go (each `None`: not written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportPaths {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub sarif: Option<PathBuf>,
}

/// The validated configuration of a `fuzz` run. See [`FileConfig`] for what each key means.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub spec: PathBuf,
    /// `None`: use the spec's first server URL. When set, already checked to be an http(s) URL.
    pub target: Option<String>,
    pub time: Duration,
    pub execs: Option<u64>,
    pub seed: Option<u64>,
    pub out: PathBuf,
    /// Extra headers, `(name, value)`, in the order given.
    pub headers: Vec<(String, String)>,
    pub filter: OperationFilter,
    pub timeout: Duration,
    /// Which certificates an https target may show.
    pub tls: TlsOptions,
    /// Requests per second, positive and finite.
    pub rate_limit: Option<f64>,
    pub slow: Duration,
    pub undocumented: UndocumentedPolicy,
    pub auth: Option<PathBuf>,
    pub reports: ReportPaths,
    pub max_calls: usize,
    pub dict: Option<PathBuf>,
    /// Which checks run (`--checks`, `--check`, `--skip-checks`).
    pub checks: crate::probe::CheckSelection,
    /// Bounds of the minimization of each new finding.
    pub minimize: MinimizeConfig,
    /// Shell command that resets the target before the campaign (`--reset-cmd`).
    pub reset_cmd: Option<String>,
    /// Shell command that restarts a crashed target (`--restart-cmd`).
    pub restart_cmd: Option<String>,
}

/// One value with the origin it came from, for messages.
struct Pick<T> {
    value: T,
    origin: Origin,
}

/// The two sources of values: the command line and the config file (all `None` when there is none).
struct Sources<'a> {
    cli: &'a FileConfig,
    file: &'a FileConfig,
    file_origin: &'a Origin,
}

impl Sources<'_> {
    /// The command-line value of a field if given, else the file's.
    fn get<T: Clone>(&self, field: impl Fn(&FileConfig) -> &Option<T>) -> Option<Pick<T>> {
        if let Some(v) = field(self.cli) {
            return Some(Pick {
                value: v.clone(),
                origin: Origin::CommandLine,
            });
        }
        field(self.file).as_ref().map(|v| Pick {
            value: v.clone(),
            origin: self.file_origin.clone(),
        })
    }

    fn value<T: Clone>(&self, field: impl Fn(&FileConfig) -> &Option<T>) -> Option<T> {
        self.get(field).map(|p| p.value)
    }
}

impl Settings {
    /// Reads the config file at `config` (when given) and merges it with the command-line values:
    /// what `shrike fuzz [--config FILE] ...` does.
    pub fn load(config: Option<&Path>, cli: FileConfig) -> Result<Settings, ConfigError> {
        let file = config.map(ConfigFile::load).transpose()?;
        Settings::merge(file, cli)
    }

    /// Validates the config file (if any) and the command-line values into one `Settings`.
    pub fn merge(file: Option<ConfigFile>, cli: FileConfig) -> Result<Settings, ConfigError> {
        let (fc, forigin) = match file {
            Some(f) => (f.config, Origin::File(f.path)),
            None => (FileConfig::default(), Origin::CommandLine),
        };
        let src = Sources {
            cli: &cli,
            file: &fc,
            file_origin: &forigin,
        };
        let spec = src
            .value(|c| &c.spec)
            .ok_or(ConfigError::Missing { key: "spec" })?;
        let target = match src.get(|c| &c.target) {
            Some(p) => {
                Target::parse(&p.value).map_err(|e| invalid(&p.origin, "target", e.to_string()))?;
                Some(p.value)
            }
            None => None,
        };
        Ok(Settings {
            spec,
            target,
            time: duration(src.get(|c| &c.time), "time", DEFAULT_TIME)?,
            execs: positive(src.get(|c| &c.execs), "execs")?,
            seed: src.value(|c| &c.seed),
            out: src
                .value(|c| &c.out)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT)),
            headers: merge_headers(&fc.header, &forigin, &cli.header)?,
            filter: merge_filter(&fc, &forigin, &cli)?,
            timeout: duration(src.get(|c| &c.timeout), "timeout", DEFAULT_TIMEOUT)?,
            tls: TlsOptions {
                insecure: src.value(|c| &c.insecure).unwrap_or(false),
                ca_cert: src.value(|c| &c.ca_cert),
            },
            rate_limit: rate_limit(src.get(|c| &c.rate_limit))?,
            slow: Duration::from_millis(
                positive(src.get(|c| &c.slow_ms), "slow-ms")?.unwrap_or(DEFAULT_SLOW_MS),
            ),
            undocumented: policy(src.get(|c| &c.undocumented))?,
            auth: src.value(|c| &c.auth),
            reports: ReportPaths {
                json: src.value(|c| &c.json),
                junit: src.value(|c| &c.junit),
                sarif: src.value(|c| &c.sarif),
            },
            max_calls: max_calls(src.get(|c| &c.max_calls))?,
            dict: src.value(|c| &c.dict),
            minimize: MinimizeConfig {
                max_replays: src
                    .value(|c| &c.minimize_replays)
                    .map_or(MinimizeConfig::default().max_replays, |n| {
                        usize::try_from(n).unwrap_or(usize::MAX)
                    }),
                max_time: duration(
                    src.get(|c| &c.minimize_time),
                    "minimize-time",
                    MinimizeConfig::default().max_time,
                )?,
            },
            checks: checks(&fc, &forigin, &cli)?,
            reset_cmd: src.value(|c| &c.reset_cmd).filter(|c| !c.trim().is_empty()),
            restart_cmd: src
                .value(|c| &c.restart_cmd)
                .filter(|c| !c.trim().is_empty()),
        })
    }

    /// The oracle settings of this run.
    pub fn oracle_config(&self) -> OracleConfig {
        OracleConfig {
            undocumented: self.undocumented,
            slow: self.slow,
        }
    }

    /// The rate limit and backoff of this run.
    /// One pause after a 429/503 takes at most a tenth of the time budget (and never more than
    /// the throttle's own caps), so a target that rate-limits one operation cannot stall a short
    /// CI run while a nightly run still honours long `Retry-After`s.
    pub fn throttle_config(&self) -> ThrottleConfig {
        let mut config = ThrottleConfig::with_rate_limit(self.rate_limit);
        let tenth = self.time / 10;
        config.retry_after_max = config.retry_after_max.min(tenth);
        config.backoff_max = config.backoff_max.min(tenth);
        config.backoff_initial = config.backoff_initial.min(config.backoff_max);
        config
    }

    /// The transport limits of this run (the request timeout; other limits at their defaults).
    pub fn transport_config(&self) -> TransportConfig {
        TransportConfig {
            timeout: self.timeout,
            ..TransportConfig::default()
        }
    }
}

fn invalid(origin: &Origin, key: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.clone(),
        key,
        message: message.into(),
    }
}

fn duration(
    p: Option<Pick<String>>,
    key: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(p) = p else { return Ok(default) };
    let d = parse_duration(&p.value).map_err(|e| e.at(&p.origin, key))?;
    if d.is_zero() {
        return Err(invalid(&p.origin, key, "must be longer than zero"));
    }
    Ok(d)
}

fn positive(p: Option<Pick<u64>>, key: &'static str) -> Result<Option<u64>, ConfigError> {
    match p {
        Some(p) if p.value == 0 => Err(invalid(&p.origin, key, "must be at least 1")),
        p => Ok(p.map(|p| p.value)),
    }
}

fn rate_limit(p: Option<Pick<f64>>) -> Result<Option<f64>, ConfigError> {
    match p {
        Some(p) if !(p.value.is_finite() && p.value > 0.0) => Err(invalid(
            &p.origin,
            "rate-limit",
            "must be a positive number of requests per second",
        )),
        p => Ok(p.map(|p| p.value)),
    }
}

fn max_calls(p: Option<Pick<u64>>) -> Result<usize, ConfigError> {
    let Some(p) = p else {
        return Ok(DEFAULT_MAX_CALLS);
    };
    usize::try_from(p.value)
        .ok()
        .filter(|n| (1..=MAX_MAX_CALLS).contains(n))
        .ok_or_else(|| {
            invalid(
                &p.origin,
                "max-calls",
                format!("must be between 1 and {MAX_MAX_CALLS}"),
            )
        })
}

/// The check selection: `checks` from the command line replaces the file's; `check` and
/// `skip-checks` from both apply. An unknown name is an error that lists the valid ones.
fn checks(
    fc: &FileConfig,
    forigin: &Origin,
    cli: &FileConfig,
) -> Result<crate::probe::CheckSelection, ConfigError> {
    use crate::probe::select::{split_list, valid_names};
    let (only, only_origin) = match (&cli.checks, &fc.checks) {
        (Some(list), _) => (Some(split_list(list)), Origin::CommandLine),
        (None, Some(list)) => (Some(split_list(list)), forigin.clone()),
        (None, None) => (None, Origin::CommandLine),
    };
    let mut add = split_list(&fc.check);
    add.extend(split_list(&cli.check));
    let mut skip = split_list(&fc.skip_checks);
    skip.extend(split_list(&cli.skip_checks));
    crate::probe::CheckSelection::from_names(only.as_deref(), &add, &skip).map_err(|name| {
        let (origin, key) = if only.as_ref().is_some_and(|o| o.contains(&name)) {
            (only_origin, "checks")
        } else if add.contains(&name) {
            (
                if cli.check.iter().any(|c| c.contains(&name)) {
                    Origin::CommandLine
                } else {
                    forigin.clone()
                },
                "check",
            )
        } else {
            (
                if cli.skip_checks.iter().any(|c| c.contains(&name)) {
                    Origin::CommandLine
                } else {
                    forigin.clone()
                },
                "skip-checks",
            )
        };
        invalid(
            &origin,
            key,
            format!(
                "unknown check {name:?}; valid names: {}",
                valid_names().join(", ")
            ),
        )
    })
}

fn policy(p: Option<Pick<String>>) -> Result<UndocumentedPolicy, ConfigError> {
    let Some(p) = p else {
        return Ok(UndocumentedPolicy::default());
    };
    match p.value.trim().to_ascii_lowercase().as_str() {
        "off" => Ok(UndocumentedPolicy::Off),
        "surprises" => Ok(UndocumentedPolicy::Surprises),
        "all" => Ok(UndocumentedPolicy::All),
        _ => Err(invalid(
            &p.origin,
            "undocumented",
            format!("{:?} is not one of off, surprises, all", p.value),
        )),
    }
}

/// Parses `"Name: value"` into `(name, value)`, both trimmed. The name must be an HTTP token; the
/// value must not contain CR, LF or other control characters (tab allowed).
pub fn parse_header(input: &str) -> Result<(String, String), ConfigError> {
    let err = |reason: &str| ConfigError::Header {
        value: input.to_string(),
        reason: reason.to_string(),
    };
    let (name, value) = input
        .split_once(':')
        .ok_or_else(|| err("no `:` between name and value"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(err("the name is empty"));
    }
    let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if !name.chars().all(token_char) {
        return Err(err(
            "the name may only hold letters, digits and !#$%&'*+-.^_`|~",
        ));
    }
    let value = value.trim();
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(err("the value contains a line break or control character"));
    }
    Ok((name.to_string(), value.to_string()))
}

fn merge_headers(
    file: &[String],
    forigin: &Origin,
    cli: &[String],
) -> Result<Vec<(String, String)>, ConfigError> {
    let parse = |items: &[String], origin: &Origin| -> Result<Vec<(String, String)>, ConfigError> {
        items
            .iter()
            .map(|h| parse_header(h).map_err(|e| e.at(origin, "header")))
            .collect()
    };
    let cli = parse(cli, &Origin::CommandLine)?;
    let mut headers: Vec<(String, String)> = parse(file, forigin)?
        .into_iter()
        .filter(|(name, _)| !cli.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        .collect();
    headers.extend(cli);
    Ok(headers)
}

fn merge_filter(
    fc: &FileConfig,
    forigin: &Origin,
    cli: &FileConfig,
) -> Result<OperationFilter, ConfigError> {
    let parse = |items: &[String], origin: &Origin, key: &'static str| {
        OperationFilter::parse(items, Vec::<String>::new())
            .map(|f| f.include)
            .map_err(|e| e.at(origin, key))
    };
    let include = if cli.include.is_empty() {
        parse(&fc.include, forigin, "include")?
    } else {
        parse(&cli.include, &Origin::CommandLine, "include")?
    };
    let mut exclude = parse(&fc.exclude, forigin, "exclude")?;
    exclude.extend(parse(&cli.exclude, &Origin::CommandLine, "exclude")?);
    Ok(OperationFilter { include, exclude })
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
