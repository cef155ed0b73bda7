//! The one error type of the configuration layer. Every message names where the bad value came from
//! (the config file and its key, or the command-line flag) and what would be accepted instead.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A key of this TOML file.
    File(PathBuf),
    /// A command-line flag.
    CommandLine,
}

impl Origin {
    /// How to name key `key` from this origin in a message: `key \`rate-limit\` in shrike.toml` or
    /// `flag --rate-limit`.
    pub fn describe(&self, key: &str) -> String {
        match self {
            Origin::File(path) => format!("key `{key}` in {}", path.display()),
            Origin::CommandLine => format!("flag --{key}"),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::CommandLine => f.write_str("the command line"),
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    /// An operation selector (`--include`/`--exclude`) that cannot be parsed.
    #[error("invalid operation selector {selector:?}: {reason}")]
    Selector { selector: String, reason: String },

    /// A duration such as `10m` that cannot be parsed.
    #[error("invalid duration {value:?}: {reason} (examples: 90s, 10m, 2h, 1h30m, 500ms, 45)")]
    Duration { value: String, reason: String },

    /// An extra header that is not `Name: value`.
    #[error("invalid header {value:?}: {reason} (expected \"Name: value\")")]
    Header { value: String, reason: String },

    /// A value that parsed but is not acceptable, from a named origin and key.
    #[error("{}: {message}", origin.describe(key))]
    Invalid {
        origin: Origin,
        key: &'static str,
        message: String,
    },

    /// A required setting given nowhere.
    #[error("missing required setting `{key}`: pass --{key} or set `{key}` in the config file")]
    Missing { key: &'static str },

    /// The config file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The config file is not valid TOML or has an unknown or mistyped key (the message names it
    /// and its line).
    #[error("invalid config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
}

impl ConfigError {
    /// Attaches an origin and key to a value-level error (selector, duration, header).
    pub(crate) fn at(self, origin: &Origin, key: &'static str) -> ConfigError {
        match self {
            ConfigError::Selector { .. }
            | ConfigError::Duration { .. }
            | ConfigError::Header { .. } => ConfigError::Invalid {
                origin: origin.clone(),
                key,
                message: self.to_string(),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_name_file_and_key() {
        let e = ConfigError::Duration {
            value: "ten".into(),
            reason: "no number".into(),
        }
        .at(&Origin::File(PathBuf::from("nightly.toml")), "time");
        let text = e.to_string();
        assert!(text.starts_with("key `time` in nightly.toml: invalid duration \"ten\""));
        let e = ConfigError::Header {
            value: "x".into(),
            reason: "no colon".into(),
        }
        .at(&Origin::CommandLine, "header");
        assert!(e.to_string().starts_with("flag --header: invalid header"));
    }
}
