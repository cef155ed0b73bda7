//! [`ValueToReferenceMutator`]: turns a literal into a reference to a field of an earlier call's
//! response: the producer and field the dependency graph names when an earlier call is one,
//! else a field whose name matches (`orderId` ← `id` or `orderId`).

use rand::Rng;
use rand::seq::IndexedRandom;

use super::producers::{pointer, response_fields};
use super::seq_mutator;
use super::sites::{collect, node_at_mut, site_name};
use crate::deps::Slot;
use crate::input::{Node, RefSource, Reference, RequestSeq};

seq_mutator!(
    /// Replaces a value in call `c > 0` with a reference into the response of a call before `c`.
    ValueToReferenceMutator
);

/// Where in the response of `fields`' operation a value named `name` most likely comes from.
fn pick_source<R: Rng + ?Sized>(name: Option<&str>, fields: &[String], rng: &mut R) -> RefSource {
    let name = name.unwrap_or("").to_ascii_lowercase();
    let exact = fields.iter().find(|f| f.to_ascii_lowercase() == name);
    let suffix = fields
        .iter()
        .find(|f| !f.is_empty() && name.ends_with(&f.to_ascii_lowercase()));
    if let Some(field) = exact.or(suffix).filter(|_| rng.random_bool(0.8)) {
        return RefSource::Body(pointer(field));
    }
    match fields.choose(rng) {
        Some(field) if rng.random_bool(0.8) => RefSource::Body(pointer(field)),
        _ if rng.random_bool(0.5) => RefSource::Header {
            name: "Location".to_owned(),
            last_segment: true,
        },
        _ => RefSource::Status,
    }
}

/// An earlier call whose operation the dependency graph says produces the value named `name`
/// of call `at` (a path parameter or body field), with the response field it comes from.
fn graph_source<R: Rng + ?Sized>(
    ctx: &super::SeqContext,
    seq: &RequestSeq,
    at: usize,
    name: Option<&str>,
    rng: &mut R,
) -> Option<(usize, RefSource)> {
    let name = name?;
    let consumer = ctx.op_index(&seq.calls[at].operation)?;
    let options: Vec<(usize, RefSource)> = ctx
        .producers
        .graph()
        .into_op(consumer)
        .filter(|e| match &e.slot {
            Slot::Param { name: n, .. } | Slot::BodyField { name: n } => n == name,
        })
        .flat_map(|e| {
            seq.calls[..at]
                .iter()
                .enumerate()
                .filter(move |(_, c)| ctx.op_index(&c.operation) == Some(e.producer))
                .map(move |(i, _)| (i, e.source.clone()))
        })
        .collect();
    options.choose(rng).cloned()
}

impl ValueToReferenceMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        let sites = collect(ctx, seq, &|n, _| n.is_leaf() && !matches!(n, Node::Ref(_)));
        let sites: Vec<_> = sites.into_iter().filter(|(s, _)| s.call > 0).collect();
        let Some((site, _)) = sites.choose(rng) else {
            return false;
        };
        let name = site_name(seq, site);
        let (from, source) = match graph_source(ctx, seq, site.call, name.as_deref(), rng) {
            Some(found) if rng.random_bool(0.8) => found,
            _ => {
                let from = rng.random_range(0..site.call);
                let fields = ctx
                    .operation(&seq.calls[from].operation)
                    .map(|op| response_fields(op, &ctx.generator))
                    .unwrap_or_default();
                (from, pick_source(name.as_deref(), &fields, rng))
            }
        };
        match node_at_mut(seq, site) {
            Some(node) => {
                *node = Node::Ref(Reference { call: from, source });
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn matching_field_names_are_preferred() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let fields = vec!["status".to_owned(), "id".to_owned()];
        let hits = (0..200)
            .filter(|_| {
                pick_source(Some("orderId"), &fields, &mut rng) == RefSource::Body("/id".into())
            })
            .count();
        assert!(hits > 150, "{hits}");
    }
}
