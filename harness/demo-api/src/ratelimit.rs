//! Login throttling used in fixed mode (the fix for BUG-16): more than
//! [`MAX_FAILURES`] failed logins for one username within [`WINDOW`] answer 429.
//! The only place the server reads the clock; memory is bounded by [`MAX_TRACKED`] usernames.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Failures allowed per username within the window.
pub const MAX_FAILURES: usize = 20;
/// The sliding window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Usernames tracked at most; beyond that, the oldest entries are dropped wholesale.
const MAX_TRACKED: usize = 10_000;

/// Recent failed logins per username.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl LoginLimiter {
    /// Whether `username` has used up its failures at `now`.
    pub fn is_blocked(&mut self, username: &str, now: Instant) -> bool {
        let Some(times) = self.failures.get_mut(username) else {
            return false;
        };
        while times
            .front()
            .is_some_and(|&time| now.duration_since(time) >= WINDOW)
        {
            times.pop_front();
        }
        times.len() >= MAX_FAILURES
    }

    /// Records a failed login for `username` at `now`.
    pub fn record_failure(&mut self, username: &str, now: Instant) {
        if self.failures.len() >= MAX_TRACKED && !self.failures.contains_key(username) {
            self.failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|&t| now.duration_since(t) < WINDOW)
            });
            if self.failures.len() >= MAX_TRACKED {
                self.failures.clear();
            }
        }
        let times = self.failures.entry(username.to_owned()).or_default();
        times.push_back(now);
        if times.len() > MAX_FAILURES {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_forgets_after_the_window() {
        let mut limiter = LoginLimiter::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(!limiter.is_blocked("alice", start));
            limiter.record_failure("alice", start);
        }
        assert!(limiter.is_blocked("alice", start));
        assert!(!limiter.is_blocked("bob", start));
        assert!(!limiter.is_blocked("alice", start + WINDOW));
    }
}
