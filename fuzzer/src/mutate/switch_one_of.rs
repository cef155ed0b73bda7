//! [`SwitchOneOfMutator`]: replaces a value whose schema is a `oneOf`/`anyOf` with a value generated
//! from one of the alternatives, so every branch of a polymorphic body gets exercised.

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::Value;

use super::seq_mutator;
use super::sites::{collect, node_at, node_at_mut};
use crate::generate::Mode;
use crate::input::{Node, RequestSeq};

seq_mutator!(
    /// Regenerates a `oneOf`/`anyOf` value from a randomly chosen branch.
    SwitchOneOfMutator
);

/// The alternatives of a schema, when it has at least two.
fn branches(schema: &Value) -> Option<&Vec<Value>> {
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .find(|b| b.len() >= 2)
}

impl SwitchOneOfMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        let sites = collect(ctx, seq, &|n, s| {
            !matches!(n, Node::Ref(_)) && branches(s).is_some()
        });
        let Some((site, schema)) = sites.choose(rng) else {
            return false;
        };
        let Some(alternatives) = branches(schema) else {
            return false;
        };
        let current = node_at(seq, site).cloned();
        let mut value = None;
        for _ in 0..4 {
            let Some(branch) = alternatives.choose(rng) else {
                return false;
            };
            let candidate = ctx.value(branch, Mode::Valid, rng);
            let differs = current.as_ref() != Some(&candidate);
            value = Some(candidate);
            if differs {
                break;
            }
        }
        match (node_at_mut(seq, site), value) {
            (Some(node), Some(v)) => {
                *node = v;
                true
            }
            _ => false,
        }
    }
}
