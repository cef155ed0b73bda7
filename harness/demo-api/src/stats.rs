//! Request counters behind `GET /_stats` (deliberately not in the spec): the total number of
//! responses and a count per status code, kept in atomics so counting costs next to nothing.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::state::AppState;

/// Status codes are counted in one slot each; anything outside 100..=599 lands in slot 0.
const SLOTS: usize = 600;

/// Counts of served responses.
#[derive(Debug)]
pub struct Stats {
    requests: AtomicU64,
    by_status: Box<[AtomicU64]>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            requests: AtomicU64::new(0),
            by_status: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl Stats {
    /// Records one response with this status code.
    pub fn record(&self, status: u16) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let slot = usize::from(status);
        let slot = if (100..SLOTS).contains(&slot) {
            slot
        } else {
            0
        };
        self.by_status[slot].fetch_add(1, Ordering::Relaxed);
    }

    /// `{"requests": N, "by_status": {"200": n, ...}}`, listing only codes seen.
    pub fn to_json(&self) -> Value {
        let mut by_status = Map::new();
        for (code, counter) in self.by_status.iter().enumerate() {
            let count = counter.load(Ordering::Relaxed);
            if count > 0 {
                by_status.insert(code.to_string(), json!(count));
            }
        }
        json!({
            "requests": self.requests.load(Ordering::Relaxed),
            "by_status": by_status,
        })
    }
}

/// Middleware: counts every response, whatever produced it.
pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    state.stats.record(response.status().as_u16());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_status_and_in_total() {
        let stats = Stats::default();
        stats.record(200);
        stats.record(200);
        stats.record(404);
        stats.record(42);
        let value = stats.to_json();
        assert_eq!(value["requests"], 4);
        assert_eq!(value["by_status"]["200"], 2);
        assert_eq!(value["by_status"]["404"], 1);
        assert_eq!(value["by_status"]["0"], 1);
        assert!(value["by_status"].get("500").is_none());
    }
}
