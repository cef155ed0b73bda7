//! [`InvalidValueMutator`]: Replaces a value (leaf or container) with one its schema rejects: type confusion, out of range, missing required, malformed format.

use rand::Rng;

use super::seq_mutator;
use super::value::replace_value;
use crate::generate::Mode;
use crate::input::RequestSeq;

seq_mutator!(
    /// Replaces a value (leaf or container) with one its schema rejects: type confusion, out of range, missing required, malformed format.
    InvalidValueMutator
);

impl InvalidValueMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        replace_value(&self.ctx, seq, Mode::Invalid, false, rng)
    }
}
