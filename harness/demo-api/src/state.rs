//! Per-instance server state: the mode, the SQLite store, counters, the served spec and the login
//! rate limiter. Every server instance owns its own, so tests never share data.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use rusqlite::Connection;

use crate::Options;
use crate::db;
use crate::error::ApiError;
use crate::ratelimit::LoginLimiter;
use crate::spec;
use crate::stats::Stats;

/// Errors while setting a server instance up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot open or seed the database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the embedded OpenAPI document is invalid: {0}")]
    Spec(#[from] spec::SpecError),
}

/// Shared state handed to every handler (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    /// `--fixed`: every planted bug is off.
    pub fixed: bool,
    pub stats: Stats,
    /// The OpenAPI document as JSON, serialised once at start.
    pub spec_json: Bytes,
    pub limiter: Mutex<LoginLimiter>,
    /// Number of tokens issued so far (part of each token's derivation).
    pub issued_tokens: AtomicU64,
    /// Attachment content bytes stored so far (deleted ones included), for the storage cap.
    pub stored_bytes: AtomicU64,
    db: Mutex<Connection>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// A fresh instance: in-memory database with seed data, counters at zero.
    pub fn new(options: &crate::Options) -> Result<Self, SetupError> {
        let Options { fixed } = options.clone();
        let connection = db::open_seeded()?;
        Ok(Self(Arc::new(Inner {
            fixed,
            stats: Stats::default(),
            spec_json: Bytes::from(spec::json_bytes()?),
            limiter: Mutex::new(LoginLimiter::default()),
            issued_tokens: AtomicU64::new(0),
            stored_bytes: AtomicU64::new(0),
            db: Mutex::new(connection),
        })))
    }

    /// Locks the database. A poisoned lock (a panicking handler) is recovered: SQLite keeps its
    /// own consistency.
    pub fn db(&self) -> MutexGuard<'_, Connection> {
        self.0
            .db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` with the database, mapping SQLite errors to 500s.
    pub fn with_db<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        f(&self.db())
    }
}
