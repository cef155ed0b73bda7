//! The `shrike` binary: parses the command line and dispatches to the library.

fn main() {
    eprintln!("shrike: no subcommands yet");
    std::process::exit(shrike::exit::USAGE);
}
