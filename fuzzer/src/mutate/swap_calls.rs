//! [`SwapCallsMutator`]: exchanges two calls (e.g. read before create); references are renumbered
//! and those that would point forward become literals.

use rand::Rng;

use super::seq_mutator;
use crate::input::RequestSeq;

seq_mutator!(
    /// Swaps two distinct calls.
    SwapCallsMutator
);

impl SwapCallsMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let len = seq.calls.len();
        if len < 2 {
            return false;
        }
        let a = rng.random_range(0..len);
        let b = (a + rng.random_range(1..len)) % len;
        seq.swap_calls(a, b)
    }
}
