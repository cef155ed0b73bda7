//! `shrike-demo-api --port PORT [--host 127.0.0.1] [--fixed]`: runs the demo shop API.

use clap::Parser;

/// Shrike's bundled demo shop API, with planted bugs (see BUGS.md).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Port to listen on; 0 picks a free one (printed on the first stdout line).
    #[arg(long)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Turn every planted bug off.
    #[arg(long)]
    fixed: bool,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    shrike_demo_api::run(
        &cli.host,
        cli.port,
        shrike_demo_api::Options { fixed: cli.fixed },
    )
}
