//! Shrike's command line, for the end-to-end tests.

fn main() {
    std::process::exit(shrike::commands::entry::main_with_args(std::env::args_os()));
}
