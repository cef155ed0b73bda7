//! [`DuplicateCallMutator`]: repeats a call right after itself (double submit, replayed delete).

use rand::Rng;

use super::seq_mutator;
use crate::input::{MAX_CALLS, RequestSeq};

seq_mutator!(
    /// Inserts a copy of a call right after it; the copy's references point to the same calls.
    DuplicateCallMutator
);

impl DuplicateCallMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        if seq.calls.is_empty() || seq.calls.len() >= MAX_CALLS {
            return false;
        }
        let index = rng.random_range(0..seq.calls.len());
        let copy = seq.calls[index].clone();
        seq.insert_call(index + 1, copy);
        true
    }
}
