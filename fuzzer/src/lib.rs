//! Shrike: a coverage-guided, grammar-aware fuzzer and security tester for HTTP/JSON APIs.
//!
//! Data flow: `spec` → `schema` → `generate` / `mutate` → `input` → `transport` → oracles →
//! `cases` and reports. See ARCHITECTURE.md for the map.

pub mod auth;
pub mod campaign;
pub mod cases;
pub mod cli;
pub mod commands;
pub mod config;
pub mod deps;
pub mod exit;
pub mod fsutil;
pub mod generate;
pub mod http;
pub mod input;
pub mod inspect;
pub mod minimize;
pub mod mutate;
pub mod oracle;
pub mod probe;
pub mod report;
pub mod schema;
pub mod security;
pub mod spec;
pub mod supervise;
pub mod transport;
