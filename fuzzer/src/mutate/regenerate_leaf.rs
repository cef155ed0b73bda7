//! [`RegenerateLeafMutator`]: Regenerates a leaf value from its schema (a fresh valid value).

use rand::Rng;

use super::seq_mutator;
use super::value::replace_value;
use crate::generate::Mode;
use crate::input::RequestSeq;

seq_mutator!(
    /// Regenerates a leaf value from its schema (a fresh valid value).
    RegenerateLeafMutator
);

impl RegenerateLeafMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        replace_value(&self.ctx, seq, Mode::Valid, true, rng)
    }
}
