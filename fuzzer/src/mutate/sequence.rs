//! Sequence generation: realistic request sequences from the model.
//!
//! A target operation is picked; each of its path parameters that some operation produces (see
//! [`producers`](super::producers) and [`deps`](crate::deps)) gets a producer call first — one that
//! has succeeded in this campaign when there is one — and the target's parameter becomes a
//! reference to the producer's response; now and then a live value from the run-time pool stands
//! in instead. Everything else is generated valid from its schema.

use rand::Rng;

use super::context::SeqContext;
use crate::generate::Mode;
use crate::input::{Body, Call, MAX_CALLS, Node, ParamValue, Reference, RequestSeq};
use crate::spec::ParamLocation;

/// How deep producer chains go (`/a/{a}/b/{b}` needs a producer for `a` before the one for `b`).
const MAX_CHAIN: usize = 3;

/// How often a path parameter takes a live value from the pool instead of a producer call.
const LIVE_VALUE_CHANCE: f64 = 0.2;

/// How often a path parameter keeps its generated value although it has a producer.
const OWN_VALUE_CHANCE: f64 = 0.1;

/// The same for an operation that has not answered 2xx yet in this campaign.
const FRESH_OWN_VALUE_CHANCE: f64 = 0.25;

/// A new sequence ending in a randomly chosen operation, preceded by producer calls it needs.
pub fn generate_seq<R: Rng + ?Sized>(ctx: &SeqContext, rng: &mut R) -> RequestSeq {
    let mut seq = RequestSeq::default();
    if ctx.model.operations.is_empty() {
        return seq;
    }
    let target = rng.random_range(0..ctx.model.operations.len());
    push_with_producers(ctx, &mut seq, target, MAX_CHAIN, rng);
    seq
}

/// Appends the call of operation `op` to `seq`, first appending (while the length limit allows)
/// a producer call for each path parameter that has one. Returns the new call's index.
pub fn push_with_producers<R: Rng + ?Sized>(
    ctx: &SeqContext,
    seq: &mut RequestSeq,
    op: usize,
    depth: usize,
    rng: &mut R,
) -> Option<usize> {
    let mut links: Vec<(String, Node)> = Vec::new();
    let consumer = &ctx.model.operations[op];
    for param in consumer
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        // Now and then, for an operation that has not answered 2xx yet, a live value (an id a
        // response of this campaign returned) stands in for the producer call: a way in when
        // every producer fails. Only then: a sequence with such a value depends on what earlier
        // sequences created, so its findings would not replay on a fresh target.
        let unreached = {
            let live = crate::deps::live::lock(ctx.producers.live());
            live.fed() && !live.succeeded(op)
        };
        let live = ctx
            .producers
            .live_value(&ctx.model, op, &param.name, rng)
            .filter(|_| unreached && rng.random_bool(LIVE_VALUE_CHANCE));
        if let Some(value) = live {
            links.push((param.name.clone(), value));
            continue;
        }
        // And now and then the generated value stays: ids that exist before the campaign starts
        // are reachable too. An operation that has not succeeded yet gets the spec's example
        // (the documented id most likely to exist) more often.
        let (fed, fresh) = {
            let live = crate::deps::live::lock(ctx.producers.live());
            (live.fed(), live.fed() && !live.succeeded(op))
        };
        let own = match (fed, fresh) {
            (false, _) => 0.0,
            (true, true) => FRESH_OWN_VALUE_CHANCE,
            (true, false) => OWN_VALUE_CHANCE,
        };
        if depth == 0 || seq.calls.len() + 2 > MAX_CALLS || rng.random_bool(own) {
            if let Some(example) = param.examples.first().filter(|_| fresh) {
                links.push((param.name.clone(), Node::from(example.clone())));
            }
            continue;
        }
        let Some(producer) = ctx.producers.choose(op, &param.name, rng) else {
            continue;
        };
        if let Some(call) = push_with_producers(ctx, seq, producer.op, depth - 1, rng) {
            let reference = Reference {
                call,
                source: producer.source.clone(),
            };
            links.push((param.name.clone(), Node::Ref(reference)));
        }
    }
    if seq.calls.len() >= MAX_CALLS {
        return None;
    }
    let mut call = generate_call(ctx, op, rng);
    call.identity = ctx.producers.identity_for(op, rng);
    for (name, value) in links {
        set_param(&mut call, &name, ParamLocation::Path, value);
    }
    seq.calls.push(call);
    Some(seq.calls.len() - 1)
}

/// A call of operation `op` with valid values: every required parameter, each optional one with
/// probability 1/2, and a body in the first declared media type when the operation has one.
pub fn generate_call<R: Rng + ?Sized>(ctx: &SeqContext, op: usize, rng: &mut R) -> Call {
    generate_call_in(ctx, op, Mode::Valid, rng)
}

/// A call of operation `op` with values in `mode`: every required parameter, each optional one
/// with probability 1/2, and a body in the first declared media type when the operation has one.
/// The spec's parameter and media-type examples seed valid values now and then.
pub fn generate_call_in<R: Rng + ?Sized>(
    ctx: &SeqContext,
    op: usize,
    mode: Mode,
    rng: &mut R,
) -> Call {
    let operation = &ctx.model.operations[op];
    let mut call = Call::new(operation.id.clone());
    for param in &operation.parameters {
        if param.required || rng.random_bool(0.5) {
            let value =
                ctx.generator
                    .generate_with_examples(&param.schema, &param.examples, mode, rng);
            call.params.push(ParamValue {
                name: param.name.clone(),
                location: param.location,
                value: Some(Node::from(value)),
            });
        }
    }
    if let Some(media) = operation
        .request_body
        .as_ref()
        .and_then(|rb| rb.content.first())
    {
        let value = ctx
            .generator
            .generate_with_examples(&media.schema, &media.examples, mode, rng);
        call.body = Some(Body {
            media_type: media.media_type.clone(),
            value: Node::from(value),
        });
    }
    call
}

/// Sets a parameter's value, adding the parameter when the call does not have it.
pub fn set_param(call: &mut Call, name: &str, location: ParamLocation, value: Node) {
    match call
        .params
        .iter_mut()
        .find(|p| p.name == name && p.location == location)
    {
        Some(p) => p.value = Some(value),
        None => call.params.push(ParamValue {
            name: name.to_owned(),
            location,
            value: Some(value),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::input::RefSource;
    use crate::input::test_model::test_model;

    fn ctx() -> SeqContext {
        SeqContext::new(Arc::new(test_model()))
    }

    #[test]
    fn producers_are_inferred_from_paths() {
        let ctx = ctx();
        let get = ctx
            .op_index(&crate::spec::OperationId("getOrder".into()))
            .expect("getOrder");
        let create = ctx
            .op_index(&crate::spec::OperationId("createOrder".into()))
            .expect("createOrder");
        let ps: Vec<_> = ctx.producers.for_param(get, "orderId").collect();
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].op, create);
        assert_eq!(ps[0].source, RefSource::Body("/id".into()));
        assert!(ctx.producers.consumers_of(create).count() >= 4);
    }

    #[test]
    fn consumers_get_a_producer_and_a_reference() {
        let ctx = ctx();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (mut consumers, mut chained) = (0, 0);
        for _ in 0..300 {
            let seq = generate_seq(&ctx, &mut rng);
            assert!(seq.references_valid());
            assert!(!seq.calls.is_empty() && seq.calls.len() <= MAX_CALLS);
            let last = seq.calls.last().expect("non-empty");
            if last.operation.0.contains("Order") && last.operation.0 != "createOrder"
                || last.operation.0 == "uploadReceipt"
            {
                consumers += 1;
                assert_eq!(seq.calls.len(), 2, "{seq:?}");
                assert_eq!(seq.calls[0].operation.0, "createOrder");
                let Some(Node::Ref(r)) = last.param("orderId", ParamLocation::Path) else {
                    panic!("orderId must be a reference: {seq:?}")
                };
                assert_eq!(r.call, 0);
                chained += 1;
            }
        }
        // Nothing feeds the live state here: every consumer gets its producer.
        assert!(
            consumers > 20 && chained == consumers,
            "{chained} of {consumers}"
        );
    }

    #[test]
    fn same_seed_same_sequence() {
        let ctx = ctx();
        for seed in 0..20 {
            let a = generate_seq(&ctx, &mut ChaCha8Rng::seed_from_u64(seed));
            let b = generate_seq(&ctx, &mut ChaCha8Rng::seed_from_u64(seed));
            assert_eq!(a, b);
        }
    }
}
