//! The shared step of the value mutators: pick a node and replace it with a generated value.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::context::SeqContext;
use super::sites::{collect, node_at_mut};
use crate::generate::Mode;
use crate::input::{Node, RequestSeq};

/// Replaces a random non-reference node (only leaves when `leaves_only`) with a value generated
/// from its schema in `mode`. Returns whether a node was replaced.
pub fn replace_value<R: Rng + ?Sized>(
    ctx: &SeqContext,
    seq: &mut RequestSeq,
    mode: Mode,
    leaves_only: bool,
    rng: &mut R,
) -> bool {
    let sites = collect(ctx, seq, &|n, _| {
        !matches!(n, Node::Ref(_)) && (!leaves_only || n.is_leaf())
    });
    let Some((site, schema)) = sites.choose(rng) else {
        return false;
    };
    let value = ctx.value(schema, mode, rng);
    match node_at_mut(seq, site) {
        Some(node) => {
            *node = value;
            true
        }
        None => false,
    }
}
