//! Minimization: deterministic delta debugging of a finding's [`RequestSeq`].
//!
//! Sits between the objective and the case store (and behind `shrike minimize`): given a sequence
//! and a "still reproduces?" predicate — in practice a replay through the
//! [`SeqRunner`](crate::campaign::runner::SeqRunner) that looks for the finding's signature — it
//! first drops calls (chunks, then single calls; references to a dropped call become literals, as
//! [`RequestSeq::remove_call`] does), then simplifies values (drops optional parameters, bodies and
//! object members, shrinks arrays, shortens strings and raw bytes, moves numbers toward 0 or the
//! nearest schema boundary), then tries dropping calls once more. A candidate is only tried when it
//! has no more calls and no bigger serialised size than the current sequence, so the result is
//! never larger than the input, and it is only kept when the predicate holds, so the result always
//! reproduces. Candidates are tried in a fixed order and failures are remembered, so the same
//! input and target give the same result; the work is bounded by a replay count and a time limit.
//!
//! A burst (one call repeated, as the rate-limit check sends it) is minimized as a burst: it is
//! halved while a shorter one still reproduces, then the values of its one call are simplified in
//! every copy alike. Dropping single calls from it would only cost a long replay each.

mod calls;
mod finding;
mod replay;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::input::RequestSeq;
use crate::mutate::SeqContext;

pub use finding::{Relogin, crash_shows_again, minimize_finding};
pub use replay::{ReplayMatch, replay_matches};

/// Bounds of one minimization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinimizeConfig {
    /// At most this many replays (predicate calls).
    pub max_replays: usize,
    /// At most this much wall time.
    pub max_time: Duration,
}

impl MinimizeConfig {
    /// Minimization switched off (no replay at all).
    pub const OFF: MinimizeConfig = MinimizeConfig {
        max_replays: 0,
        max_time: Duration::ZERO,
    };

    pub fn enabled(&self) -> bool {
        self.max_replays > 0 && !self.max_time.is_zero()
    }
}

impl Default for MinimizeConfig {
    fn default() -> Self {
        MinimizeConfig {
            max_replays: 200,
            max_time: Duration::from_secs(10),
        }
    }
}

/// Sizes of a sequence: what minimization reports before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeqSize {
    pub calls: usize,
    /// Bytes of the sequence serialised as compact JSON.
    pub bytes: usize,
}

impl SeqSize {
    pub fn of(seq: &RequestSeq) -> SeqSize {
        SeqSize {
            calls: seq.calls.len(),
            bytes: serialized_len(seq),
        }
    }
}

/// What one minimization did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinimizeStats {
    pub before: SeqSize,
    pub after: SeqSize,
    pub replays: usize,
    /// True when a bound (replays or time) stopped the search before it was done.
    pub bounded: bool,
}

/// The length of the sequence as compact JSON (the measure that never grows).
pub fn serialized_len(seq: &RequestSeq) -> usize {
    serde_json::to_vec(seq).map_or(usize::MAX, |v| v.len())
}

/// Shrinks `seq` while `reproduces` holds for it. `reproduces` is not called on `seq` itself: the
/// caller knows it reproduces (it just did).
pub fn minimize(
    ctx: &SeqContext,
    seq: &RequestSeq,
    config: &MinimizeConfig,
    reproduces: &mut dyn FnMut(&RequestSeq) -> bool,
) -> (RequestSeq, MinimizeStats) {
    if is_burst(seq) {
        return minimize_burst(ctx, seq, config, reproduces);
    }
    let mut search = Search::new(seq.clone(), config, reproduces);
    let before = SeqSize::of(seq);
    calls::drop_calls(ctx, &mut search);
    let before_values = search.current.clone();
    values::simplify(ctx, &mut search);
    if search.current != before_values {
        // Simpler values can make a call that was needed for them droppable.
        calls::drop_calls(ctx, &mut search);
    }
    let stats = MinimizeStats {
        before,
        after: SeqSize::of(&search.current),
        replays: search.replays,
        bounded: search.exhausted(),
    };
    (search.current, stats)
}

/// True when `seq` is one call repeated, at least 3 times.
fn is_burst(seq: &RequestSeq) -> bool {
    seq.calls.len() >= 3 && seq.calls.windows(2).all(|w| w[0] == w[1])
}

/// `count` copies of the one call of `one`.
fn burst_of(one: &RequestSeq, count: usize) -> RequestSeq {
    RequestSeq::new(vec![one.calls[0].clone(); count])
}

/// Minimizes a burst (see the module docs): halves it while that reproduces, then simplifies the
/// values of its call in every copy.
fn minimize_burst(
    ctx: &SeqContext,
    seq: &RequestSeq,
    config: &MinimizeConfig,
    reproduces: &mut dyn FnMut(&RequestSeq) -> bool,
) -> (RequestSeq, MinimizeStats) {
    let started = Instant::now();
    let one = RequestSeq::new(vec![seq.calls[0].clone()]);
    let mut count = seq.calls.len();
    let mut replays = 0;
    while count / 2 >= 2 && replays < config.max_replays && started.elapsed() < config.max_time {
        replays += 1;
        if !reproduces(&burst_of(&one, count / 2)) {
            break;
        }
        count /= 2;
    }
    let rest = MinimizeConfig {
        max_replays: config.max_replays.saturating_sub(replays),
        max_time: config.max_time.saturating_sub(started.elapsed()),
    };
    let mut as_burst = |candidate: &RequestSeq| reproduces(&burst_of(candidate, count));
    let mut search = Search::new(one, &rest, &mut as_burst);
    values::simplify(ctx, &mut search);
    let out = burst_of(&search.current, count);
    let stats = MinimizeStats {
        before: SeqSize::of(seq),
        after: SeqSize::of(&out),
        replays: replays + search.replays,
        bounded: search.exhausted(),
    };
    (out, stats)
}

/// The state of one search: the smallest reproducing sequence so far, the budget, and the
/// candidates already tried.
pub(crate) struct Search<'a> {
    pub current: RequestSeq,
    current_bytes: usize,
    replays: usize,
    max_replays: usize,
    deadline: Option<Instant>,
    tried: HashSet<u64>,
    reproduces: &'a mut dyn FnMut(&RequestSeq) -> bool,
}

impl<'a> Search<'a> {
    fn new(
        current: RequestSeq,
        config: &MinimizeConfig,
        reproduces: &'a mut dyn FnMut(&RequestSeq) -> bool,
    ) -> Self {
        let current_bytes = serialized_len(&current);
        let mut tried = HashSet::new();
        tried.insert(fingerprint(&current));
        Search {
            current,
            current_bytes,
            replays: 0,
            max_replays: config.max_replays,
            deadline: Instant::now().checked_add(config.max_time),
            tried,
            reproduces,
        }
    }

    /// True once the replay or time budget is used up.
    pub fn exhausted(&self) -> bool {
        self.replays >= self.max_replays || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Replays `candidate` when it is new, valid and no larger than the current sequence; keeps
    /// it when it reproduces. True when it was kept.
    pub fn try_candidate(&mut self, candidate: RequestSeq) -> bool {
        if self.exhausted()
            || candidate.calls.is_empty()
            || candidate.calls.len() > self.current.calls.len()
            || !candidate.references_valid()
        {
            return false;
        }
        let bytes = serialized_len(&candidate);
        if bytes > self.current_bytes || !self.tried.insert(fingerprint(&candidate)) {
            return false;
        }
        self.replays += 1;
        if (self.reproduces)(&candidate) {
            self.current = candidate;
            self.current_bytes = bytes;
            true
        } else {
            false
        }
    }
}

/// A hash of a sequence, to remember which candidates were tried.
fn fingerprint(seq: &RequestSeq) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    seq.hash(&mut hasher);
    hasher.finish()
}
