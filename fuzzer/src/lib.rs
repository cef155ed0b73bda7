//! Shrike: a coverage-guided, grammar-aware fuzzer and security tester for HTTP/JSON APIs.
//!
//! Data flow: `spec` → `schema` → `generate` / `mutate` → `input` → `transport` → oracles →
//! `cases` and reports. See ARCHITECTURE.md for the map.

pub mod config;
pub mod exit;
pub mod http;
pub mod oracle;
pub mod report;
pub mod spec;
pub mod transport;
