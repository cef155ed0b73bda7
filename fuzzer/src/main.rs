//! The `shrike` binary: everything happens in the library's command-line entry point.

fn main() {
    std::process::exit(shrike::commands::entry::main_with_args(std::env::args_os()));
}
