//! The case store as a regression corpus: before a campaign fuzzes, every saved case in
//! `OUT/cases/` is replayed once through the campaign's runner, and the ones whose signature no
//! longer shows are reported as fixed. Bounded in cases and time; a case that cannot be read is
//! skipped, never fatal.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::load_case;
use super::store::list_cases;
use crate::campaign::runner::SeqRunner;
use crate::minimize::replay_matches;
use crate::oracle::Signature;
use crate::transport::Transport;

/// At most this many saved cases are replayed before a campaign.
pub const MAX_CASES: usize = 200;

/// The time regression replay may take out of a campaign's budget: a tenth, at least 2 s, at
/// most 60 s.
pub fn budget(campaign: Duration) -> Duration {
    (campaign / 10).clamp(Duration::from_secs(2), Duration::from_secs(60))
}

/// What replaying the saved cases showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegressionOutcome {
    /// Cases whose signature showed again.
    pub still_failing: Vec<Signature>,
    /// Cases whose signature did not show: fixed (or not reproducible by a single replay).
    pub fixed: Vec<Signature>,
    /// Cases not replayed: unreadable, or past the case or time bound.
    pub skipped: usize,
}

impl RegressionOutcome {
    pub fn replayed(&self) -> usize {
        self.still_failing.len() + self.fixed.len()
    }
}

/// Replays each case under `cases_dir` once, within `budget`.
pub fn replay_saved<T: Transport>(
    cases_dir: &Path,
    runner: &mut SeqRunner<T>,
    budget: Duration,
) -> RegressionOutcome {
    let started = Instant::now();
    let sequences = runner.stats.sequences;
    let mut outcome = RegressionOutcome::default();
    for (index, dir) in list_cases(cases_dir).into_iter().enumerate() {
        if index >= MAX_CASES || started.elapsed() >= budget || runner.target_down() {
            outcome.skipped += 1;
            continue;
        }
        let Ok(case) = load_case(&dir) else {
            outcome.skipped += 1;
            continue;
        };
        match replay_matches(runner, &case.sequence, &case.signature) {
            Ok(_) => outcome.still_failing.push(case.signature),
            Err(_) => outcome.fixed.push(case.signature),
        }
    }
    // Replays are not executions: the `--execs` budget counts fuzzing only.
    runner.stats.sequences = sequences;
    outcome
}
