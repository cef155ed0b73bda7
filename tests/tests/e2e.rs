//! End-to-end tests: Shrike's command line against the bundled demo API on loopback.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[path = "e2e/cli_errors.rs"]
mod cli_errors;
#[path = "e2e/demo_campaign.rs"]
mod demo_campaign;
#[path = "e2e/repro.rs"]
mod repro;
#[path = "e2e/restart.rs"]
mod restart;
#[path = "e2e/resume.rs"]
mod resume;
#[path = "e2e/security_identity.rs"]
mod security_identity;
#[path = "e2e/security_payload.rs"]
mod security_payload;
#[path = "e2e/shared.rs"]
mod shared;
#[path = "e2e/stateful.rs"]
mod stateful;
#[path = "e2e/tls.rs"]
mod tls;
#[path = "e2e/valid_acceptance.rs"]
mod valid_acceptance;

/// The Shrike command line built for these tests.
pub const SHRIKE: &str = env!("CARGO_BIN_EXE_shrike-e2e-cli");
