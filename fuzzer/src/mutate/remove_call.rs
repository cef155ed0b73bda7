//! [`RemoveCallMutator`]: removes one call; references to it become literals and later references
//! are renumbered.

use rand::Rng;

use super::seq_mutator;
use crate::input::RequestSeq;

seq_mutator!(
    /// Removes a random call (never the last remaining one).
    RemoveCallMutator
);

impl RemoveCallMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        if seq.calls.len() < 2 {
            return false;
        }
        let index = rng.random_range(0..seq.calls.len());
        seq.remove_call(index).is_some()
    }
}
