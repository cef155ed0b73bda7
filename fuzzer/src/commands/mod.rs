//! The subcommands' library side: each takes validated settings and returns a result the binary
//! maps to an exit code. `main.rs` only parses flags and dispatches here.

pub mod checks;
pub mod demo;
pub mod entry;
pub mod fuzz;
pub mod minimize;
pub mod repro;
pub mod reset;
pub mod restart;
pub mod setup;
pub mod summary;

use thiserror::Error;

use crate::exit;

/// Why a command could not do its job. Findings are results, not errors.
#[derive(Debug, Error)]
pub enum CommandError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    #[error("no operations left to fuzz: check --include/--exclude against `shrike inspect`")]
    NoOperations,
    #[error("no target: pass --target URL (the spec declares no absolute http server URL)")]
    NoTarget,
    #[error("target {target} is unreachable: {reason}")]
    Unreachable { target: String, reason: String },
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(transparent)]
    Case(#[from] crate::cases::CaseError),
    #[error(transparent)]
    Campaign(#[from] crate::campaign::fuzz::CampaignError),
    #[error("could not start the target: {0}")]
    Supervise(#[from] crate::supervise::SuperviseError),
    #[error(transparent)]
    Reset(#[from] reset::ResetError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
}

impl CommandError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Usage(_)
            | CommandError::Config(_)
            | CommandError::Spec(_)
            | CommandError::NoOperations
            | CommandError::NoTarget
            | CommandError::Auth(_)
            | CommandError::Case(_)
            | CommandError::Reset(_) => exit::USAGE,
            CommandError::Unreachable { .. } => exit::UNREACHABLE,
            CommandError::Campaign(_) | CommandError::Supervise(_) | CommandError::Io { .. } => {
                exit::INTERNAL
            }
        }
    }

    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> CommandError {
        let what = what.into();
        move |source| CommandError::Io { what, source }
    }
}
