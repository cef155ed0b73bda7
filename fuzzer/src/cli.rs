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
        let Command::Inspect(args) = cli.command;
        assert_eq!(args.spec, PathBuf::from("a.yaml"));
        assert!(args.json);
    }
}
