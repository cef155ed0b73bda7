//! [`ReferenceToValueMutator`]: replaces a reference with a literal generated from its schema
//! (a request that no longer uses the resource an earlier call created).

use rand::Rng;
use rand::seq::IndexedRandom;

use super::seq_mutator;
use super::sites::{collect, node_at_mut};
use crate::generate::Mode;
use crate::input::{Node, RequestSeq};

seq_mutator!(
    /// Turns a reference back into a generated value.
    ReferenceToValueMutator
);

impl ReferenceToValueMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        let sites = collect(ctx, seq, &|n, _| matches!(n, Node::Ref(_)));
        let Some((site, schema)) = sites.choose(rng) else {
            return false;
        };
        let value = ctx.value(schema, Mode::Valid, rng);
        match node_at_mut(seq, site) {
            Some(node) => {
                *node = value;
                true
            }
            None => false,
        }
    }
}
