//! The optional-field shape of a run's configuration, shared by the TOML config file and the
//! command line: the CLI maps each flag onto the field of the same name, a file deserializes into
//! it, and [`Settings::merge`](super::Settings::merge) validates both.
//!
//! Keys are kebab-case and identical to the long flag names of `shrike fuzz`:
//!
//! ```toml
//! spec = "schemas/demo-api.yaml"
//! target = "http://127.0.0.1:8080"
//! time = "10m"
//! rate-limit = 50
//! header = ["X-Tenant: nightly"]
//! exclude = ["method:DELETE", "tag:admin"]
//! ```
//!
//! For the command line, a clap struct with the same field names and types (`spec:
//! Option<PathBuf>`, `time: Option<String>`, `rate_limit: Option<f64>`, `header: Vec<String>` for a
//! repeatable `--header`, ...) is copied into a `FileConfig` field for field and passed to
//! [`Settings::load`](super::Settings::load) with the `--config` path.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};

use super::error::ConfigError;

/// Every setting of a `fuzz` run, each optional (`None` / empty: not given here).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// `spec`: the OpenAPI document (JSON or YAML, 2.0 / 3.0 / 3.1). Required (here or as a flag).
    pub spec: Option<PathBuf>,
    /// `target`: the base URL requests go to, e.g. `http://127.0.0.1:8080/api`. Default: the spec's
    /// first server URL.
    pub target: Option<String>,
    /// `time`: time budget, e.g. `"90s"`, `"10m"`, `"1h30m"`, or an integer number of seconds.
    /// Default `10m`.
    #[serde(default, deserialize_with = "text_or_integer")]
    pub time: Option<String>,
    /// `execs`: stop after this many executions. Default: no limit (the time budget applies).
    pub execs: Option<u64>,
    /// `seed`: the campaign's random seed. Default: chosen at start and recorded in the reports.
    pub seed: Option<u64>,
    /// `out`: output directory (corpus, cases, reports). Default `shrike-out`.
    pub out: Option<PathBuf>,
    /// `header`: extra headers sent with every request, each `"Name: value"`.
    #[serde(default)]
    pub header: Vec<String>,
    /// `include`: operation selectors (`id:GLOB`, `path:GLOB`, `method:GET`, `tag:NAME`, or a bare
    /// value); when any is given only matching operations run.
    #[serde(default)]
    pub include: Vec<String>,
    /// `exclude`: operation selectors that must never be sent; an exclude always wins.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `timeout`: per-request timeout, e.g. `"10s"`, `"500ms"`, or integer seconds. Default `10s`.
    #[serde(default, deserialize_with = "text_or_integer")]
    pub timeout: Option<String>,
    /// `insecure`: for an https target, accept any server certificate. Default `false`.
    pub insecure: Option<bool>,
    /// `ca-cert`: for an https target, a PEM file of CA certificates trusted besides the public
    /// roots. Default: none.
    pub ca_cert: Option<PathBuf>,
    /// `rate-limit`: at most this many requests per second (may be fractional, e.g. `0.5`).
    /// Default: unlimited. 429 and 503 responses slow Shrike down in any case.
    pub rate_limit: Option<f64>,
    /// `slow-ms`: a response slower than this many milliseconds is a slow-response finding.
    /// Default 1000.
    pub slow_ms: Option<u64>,
    /// `undocumented`: which undocumented status codes are findings: `off`, `surprises` (2xx/3xx
    /// only; the default) or `all`.
    pub undocumented: Option<String>,
    /// `auth`: the identities file (tokens, credentials). Default: none.
    pub auth: Option<PathBuf>,
    /// `json`: write the JSON report to this path.
    pub json: Option<PathBuf>,
    /// `junit`: write the JUnit XML report to this path.
    pub junit: Option<PathBuf>,
    /// `sarif`: write the SARIF 2.1.0 report to this path.
    pub sarif: Option<PathBuf>,
    /// `max-calls`: the most calls one request sequence may hold. Default 6.
    pub max_calls: Option<u64>,
    /// `dict`: a dictionary file of extra attack payloads, one per line. Default: none.
    pub dict: Option<PathBuf>,
    /// `minimize-replays`: at most this many replays to minimize each new finding; 0 turns
    /// minimization off. Default 200.
    pub minimize_replays: Option<u64>,
    /// `minimize-time`: at most this long to minimize each new finding, e.g. `"10s"`. Default 10s.
    #[serde(default, deserialize_with = "text_or_integer")]
    pub minimize_time: Option<String>,
    /// `checks`: run exactly these checks (names or groups, e.g. `["security"]`). Default: every
    /// check except `rate-limit`.
    pub checks: Option<Vec<String>>,
    /// `skip-checks`: checks not to run (e.g. `["cors"]`).
    #[serde(default)]
    pub skip_checks: Vec<String>,
    /// `check`: checks to run on top of the selection (e.g. `["rate-limit"]`).
    #[serde(default)]
    pub check: Vec<String>,
    /// `reset-cmd`: a shell command run (at most 120 s) before the campaign to put the target
    /// into a known state, e.g. `"./reset-db.sh"`. Default: none.
    pub reset_cmd: Option<String>,
    /// `restart-cmd`: a shell command that brings a crashed target back, e.g.
    /// `"systemctl restart api"`. Default: none (a crash ends the campaign).
    pub restart_cmd: Option<String>,
}

/// Accepts `"10m"` or `600` (seconds) for duration keys, keeping the text for [`super::parse_duration`].
fn text_or_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrInteger {
        Text(String),
        Integer(u64),
    }
    Ok(Option::<TextOrInteger>::deserialize(d)?.map(|v| match v {
        TextOrInteger::Text(s) => s,
        TextOrInteger::Integer(n) => n.to_string(),
    }))
}

/// A config file as loaded: its path (for messages) and its values, relative paths already made
/// relative to the file's own directory.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub config: FileConfig,
}

impl ConfigFile {
    /// Reads and parses a TOML config file.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        ConfigFile::parse(path, &text)
    }

    /// Parses TOML text as if read from `path`. Relative paths in it (`spec`, `out`, `auth`, report
    /// paths, `dict`, `ca-cert`) are taken relative to the directory of `path`, so a checked-in config file
    /// works from any working directory.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
        let mut config: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        if !base.as_os_str().is_empty() {
            for p in [
                &mut config.spec,
                &mut config.out,
                &mut config.auth,
                &mut config.json,
                &mut config.junit,
                &mut config.sarif,
                &mut config.dict,
                &mut config.ca_cert,
            ]
            .into_iter()
            .flatten()
            {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            }
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            config,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_parses() {
        let text = r#"
            spec = "api.yaml"
            target = "http://127.0.0.1:8080/v1"
            time = "1h30m"
            execs = 100000
            seed = 42
            out = "/tmp/out"
            header = ["X-A: 1", "X-B: two"]
            include = ["tag:orders"]
            exclude = ["method:DELETE"]
            timeout = 5
            rate-limit = 50
            slow-ms = 250
            undocumented = "all"
            auth = "auth.toml"
            json = "report.json"
            junit = "report.xml"
            sarif = "report.sarif"
            max-calls = 4
            dict = "words.txt"
            checks = ["security"]
            skip-checks = ["cors"]
            check = ["rate-limit"]
        "#;
        let f = ConfigFile::parse(Path::new("ci/shrike.toml"), text).expect("valid");
        let c = f.config;
        assert_eq!(c.spec, Some(PathBuf::from("ci/api.yaml")));
        assert_eq!(
            c.out,
            Some(PathBuf::from("/tmp/out")),
            "absolute paths stay"
        );
        assert_eq!(c.time.as_deref(), Some("1h30m"));
        assert_eq!(c.timeout.as_deref(), Some("5"));
        assert_eq!(c.rate_limit, Some(50.0));
        assert_eq!(c.header, ["X-A: 1", "X-B: two"]);
        assert_eq!(c.exclude, ["method:DELETE"]);
        assert_eq!(c.max_calls, Some(4));
        assert_eq!(c.json, Some(PathBuf::from("ci/report.json")));
        assert_eq!(c.dict, Some(PathBuf::from("ci/words.txt")));
        assert_eq!(c.checks, Some(vec!["security".to_owned()]));
        assert_eq!(c.skip_checks, ["cors"]);
        assert_eq!(c.check, ["rate-limit"]);
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let f = ConfigFile::parse(Path::new("shrike.toml"), "").expect("valid");
        assert_eq!(f.config, FileConfig::default());
    }

    #[test]
    fn unknown_and_mistyped_keys_name_file_and_key() {
        let e = ConfigFile::parse(Path::new("n.toml"), "rate-limt = 5\n").expect_err("unknown");
        let text = e.to_string();
        assert!(
            text.contains("n.toml") && text.contains("rate-limt"),
            "{text}"
        );
        // snake_case is not the flag name.
        let e = ConfigFile::parse(Path::new("n.toml"), "slow_ms = 5\n").expect_err("snake");
        assert!(e.to_string().contains("slow_ms"), "{e}");
        let e = ConfigFile::parse(Path::new("n.toml"), "execs = \"many\"\n").expect_err("type");
        let text = e.to_string();
        assert!(text.contains("n.toml") && text.contains("execs"), "{text}");
        let e = ConfigFile::parse(Path::new("n.toml"), "time = [1]\n").expect_err("type");
        assert!(e.to_string().contains("time"), "{e}");
    }

    #[test]
    fn missing_file_is_a_read_error() {
        let e = ConfigFile::load(Path::new("/nonexistent/shrike.toml")).expect_err("missing");
        assert!(matches!(e, ConfigError::Read { .. }));
        assert!(e.to_string().contains("/nonexistent/shrike.toml"));
    }
}
