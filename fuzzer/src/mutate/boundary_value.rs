//! [`BoundaryValueMutator`]: Replaces a leaf with a value at (or just past) the edge of one of its schema's constraints.

use rand::Rng;

use super::seq_mutator;
use super::value::replace_value;
use crate::generate::Mode;
use crate::input::RequestSeq;

seq_mutator!(
    /// Replaces a leaf with a value at (or just past) the edge of one of its schema's constraints.
    BoundaryValueMutator
);

impl BoundaryValueMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        replace_value(&self.ctx, seq, Mode::Boundary, true, rng)
    }
}
