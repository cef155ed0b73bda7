//! [`AttackPayloadMutator`]: Replaces a leaf with an attack payload from the dictionary (SQL/NoSQL injection, traversal, template injection, huge and unicode strings).

use rand::Rng;

use super::seq_mutator;
use super::value::replace_value;
use crate::generate::Mode;
use crate::input::RequestSeq;

seq_mutator!(
    /// Replaces a leaf with an attack payload from the dictionary (SQL/NoSQL injection, traversal, template injection, huge and unicode strings).
    AttackPayloadMutator
);

impl AttackPayloadMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        replace_value(&self.ctx, seq, Mode::Attack, true, rng)
    }
}
