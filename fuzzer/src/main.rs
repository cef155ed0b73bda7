//! The `shrike` binary: parses the command line and dispatches to the library.

use clap::Parser;
use shrike::cli::{Cli, Command};
use shrike::exit;
use shrike::inspect::{self, InspectError};

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Inspect(args) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match inspect::run(&args, &mut out) {
                Ok(()) => exit::NO_FINDINGS,
                Err(err @ InspectError::Spec(_)) => {
                    eprintln!("shrike: {err}");
                    exit::USAGE
                }
                // A closed pipe (`shrike inspect ... | head`) is the reader's choice, not a failure.
                Err(InspectError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    exit::NO_FINDINGS
                }
                Err(err @ InspectError::Io(_)) => {
                    eprintln!("shrike: {err}");
                    exit::INTERNAL
                }
            }
        }
    };
    std::process::exit(code);
}
