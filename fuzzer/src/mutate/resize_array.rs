//! [`ResizeArrayMutator`]: grows an array (a copy of an item or a freshly generated one) or shrinks
//! it (removes an item).

use rand::Rng;
use rand::seq::IndexedRandom;

use super::seq_mutator;
use super::sites::{collect, item_schema, node_at_mut};
use crate::generate::Mode;
use crate::input::{Node, RequestSeq};

/// Arrays never grow past this many items.
pub const MAX_ITEMS: usize = 64;

seq_mutator!(
    /// Adds or removes one array item (at most `MAX_ITEMS` = 64 items).
    ResizeArrayMutator
);

impl ResizeArrayMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        let sites = collect(ctx, seq, &|n, _| matches!(n, Node::Array(_)));
        let Some((site, schema)) = sites.choose(rng) else {
            return false;
        };
        let Some(Node::Array(items)) = node_at_mut(seq, site) else {
            return false;
        };
        let len = items.len();
        let grow = len == 0 || (len < MAX_ITEMS && rng.random_bool(0.5));
        if grow {
            let at = rng.random_range(0..=len);
            let item = match items.choose(rng) {
                // A copy keeps any references it holds: they point to the same earlier calls.
                Some(existing) if rng.random_bool(0.5) => existing.clone(),
                _ => ctx.value(item_schema(ctx, schema, at), Mode::Valid, rng),
            };
            items.insert(at, item);
        } else {
            items.remove(rng.random_range(0..len));
        }
        true
    }
}
