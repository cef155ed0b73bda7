//! Run configuration: which operations a campaign may send ([`filter`]), and the validated settings
//! of a `fuzz` run built from command-line flags and an optional TOML file ([`settings`]).
//!
//! Data flow: the CLI parses flags into a [`FileConfig`] (the same optional-field shape a TOML file
//! deserializes into), [`Settings::merge`] validates both into one typed [`Settings`], and each
//! component receives its part of it by value.

mod duration;
mod error;
pub mod file;
pub mod filter;
mod glob;
pub mod settings;

pub use duration::{format_duration, parse_duration};
pub use error::{ConfigError, Origin};
pub use file::{ConfigFile, FileConfig};
pub use filter::{OperationFilter, Selector};
pub use glob::Glob;
pub use settings::{ReportPaths, Settings, parse_header};
