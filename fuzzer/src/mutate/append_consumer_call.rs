//! [`AppendConsumerCallMutator`]: appends a call that consumes an earlier call's output, e.g. a
//! `GET /orders/{orderId}` whose `orderId` refers to the `id` an earlier `POST /orders` returned.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::seq_mutator;
use super::sequence::{generate_call, set_param};
use crate::input::{MAX_CALLS, Node, Reference, RequestSeq};
use crate::spec::ParamLocation;

seq_mutator!(
    /// Appends a consumer of an existing call's output, its path parameters wired by reference.
    AppendConsumerCallMutator
);

impl AppendConsumerCallMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        if seq.calls.len() >= MAX_CALLS {
            return false;
        }
        let mut options = Vec::new();
        for (i, call) in seq.calls.iter().enumerate() {
            if let Some(pi) = ctx.op_index(&call.operation) {
                options.extend(ctx.producers.consumers_of(pi).map(|(ci, p)| (i, ci, p)));
            }
        }
        // Prefer producers that have answered 2xx in this campaign: their output is real.
        {
            let live = crate::deps::live::lock(ctx.producers.live());
            let valid: Vec<_> = options
                .iter()
                .copied()
                .filter(|(_, _, p)| live.succeeded(p.op))
                .collect();
            if !valid.is_empty() && rng.random_bool(0.85) {
                options = valid;
            }
        }
        let Some(&(from, consumer, producer)) = options.choose(rng) else {
            return false;
        };
        let mut call = generate_call(ctx, consumer, rng);
        call.identity = ctx.producers.identity_for(consumer, rng);
        // Wire the chosen parameter, then any other path parameter an existing call can feed.
        let link = Reference {
            call: from,
            source: producer.source.clone(),
        };
        set_param(
            &mut call,
            &producer.param,
            ParamLocation::Path,
            Node::Ref(link),
        );
        for other in ctx.producers.for_consumer(consumer) {
            if other.param == producer.param {
                continue;
            }
            let feeder = seq
                .calls
                .iter()
                .rposition(|c| ctx.op_index(&c.operation) == Some(other.op));
            if let Some(j) = feeder {
                let link = Reference {
                    call: j,
                    source: other.source.clone(),
                };
                set_param(
                    &mut call,
                    &other.param,
                    ParamLocation::Path,
                    Node::Ref(link),
                );
            }
        }
        seq.calls.push(call);
        true
    }
}
