//! `GenerationStage`: fresh sequences from the spec next to the mutated ones.
//!
//! Mutation climbs from what the corpus holds; generation makes sure every operation keeps being
//! tried from scratch in every mode — valid (with the spec's examples as seeds), boundary, invalid
//! and attack — in a fixed round-robin over (operation, mode), so no operation starves however the
//! corpus grows. The target call's path parameters still come from producer calls generated valid.
//!
//! Outside valid mode, one insertion point (a parameter or a top-level body field) gets the
//! boundary, invalid or attack value and everything else stays valid: an API checks its inputs one
//! after another, so a second bad value would hide what the first one reaches.

use std::sync::Arc;

use libafl::Evaluator;
use libafl::stages::{Restartable, Stage};
use libafl::state::HasRand;
use libafl_bolts::rands::Rand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use serde_json::Value;

use crate::deps::live::lock;
use crate::deps::names::field_resource;
use crate::deps::{Edge, Slot, Via};
use crate::generate::Mode;
use crate::input::{Call, Node, ParamValue, RequestSeq};
use crate::mutate::SeqContext;
use crate::mutate::sequence::push_with_producers;
use crate::spec::Parameter;

/// Inputs generated per stage run (one LibAFL `fuzz_one`).
const PER_RUN: usize = 4;

pub struct GenerationStage {
    ctx: Arc<SeqContext>,
    next: usize,
}

impl GenerationStage {
    pub fn new(ctx: Arc<SeqContext>) -> Self {
        GenerationStage { ctx, next: 0 }
    }

    /// The next sequence of the round-robin: operation `next / 4` in mode `next % 4`.
    fn generate(&mut self, rng: &mut ChaCha8Rng) -> RequestSeq {
        let ops = self.ctx.model.operations.len().max(1);
        let op = (self.next / Mode::ALL.len()) % ops;
        let mode = Mode::ALL[self.next % Mode::ALL.len()];
        self.next = (self.next + 1) % (ops * Mode::ALL.len());
        generate_seq_in(&self.ctx, op, mode, rng)
    }
}

/// A sequence ending in operation `op` whose last call has values in `mode`, preceded by the
/// (valid) producers its path parameters need.
pub fn generate_seq_in<R: rand::Rng + ?Sized>(
    ctx: &SeqContext,
    op: usize,
    mode: Mode,
    rng: &mut R,
) -> RequestSeq {
    let mut seq = RequestSeq::default();
    if op >= ctx.model.operations.len() {
        return seq;
    }
    let Some(last) = push_with_producers(ctx, &mut seq, op, 3, rng) else {
        return seq;
    };
    if mode != Mode::Valid {
        insert_one(ctx, &mut seq.calls[last], op, mode, rng);
    } else if fresh(ctx, op) && rng.random_bool(0.5) {
        use_body_example(ctx, &mut seq.calls[last], op, rng);
    }
    link_body_ids(ctx, &mut seq, op, last, rng);
    seq
}

/// True when the campaign feeds the live state and `op` has not answered 2xx yet.
fn fresh(ctx: &SeqContext, op: usize) -> bool {
    let live = lock(ctx.producers.live());
    live.fed() && !live.succeeded(op)
}

/// An operation that has not succeeded yet gets the spec's request-body example more often: the
/// documented example is the likeliest body to be accepted (a login's known credentials).
fn use_body_example<R: rand::Rng + ?Sized>(
    ctx: &SeqContext,
    call: &mut Call,
    op: usize,
    rng: &mut R,
) {
    let media = ctx.model.operations[op]
        .request_body
        .as_ref()
        .and_then(|rb| rb.content.first());
    let (Some(media), Some(body)) = (media, call.body.as_mut()) else {
        return;
    };
    if !media.examples.is_empty() {
        let example = &media.examples[rng.random_range(0..media.examples.len())];
        body.value = Node::from(example.clone());
    }
}

/// Body fields of the target call that the dependency graph feeds (`product_id` in an order item
/// ← the `id` of `POST /products`) get a producer call inserted before the target — one that has
/// succeeded in this campaign when there is one — and become references to its response, so
/// bodies point at resources that exist. Now and then, for an operation not yet answered 2xx, a
/// live value of the resource stands in.
fn link_body_ids<R: rand::Rng + ?Sized>(
    ctx: &SeqContext,
    seq: &mut RequestSeq,
    op: usize,
    mut target: usize,
    rng: &mut R,
) {
    let Some(body) = seq.calls.get(target).and_then(|c| c.body.as_ref()) else {
        return;
    };
    let mut fields = Vec::new();
    collect_id_fields(&body.value, 0, &mut fields);
    for field in fields {
        if seq.calls.len() >= crate::input::MAX_CALLS || !rng.random_bool(0.9) {
            continue;
        }
        let edges: Vec<&Edge> = {
            let live = lock(ctx.producers.live());
            let all: Vec<&Edge> = ctx
                .producers
                .graph()
                .into_op(op)
                .filter(|e| matches!(&e.slot, Slot::BodyField { name } if *name == field))
                .collect();
            // A resource of its own (a create) over a list's first item: ordering the same
            // listed product again and again only exhausts its stock.
            let mut all = all;
            if all.iter().any(|e| e.via != Via::List) {
                all.retain(|e| e.via != Via::List);
            }
            let ok: Vec<&Edge> = all
                .iter()
                .copied()
                .filter(|e| live.succeeded(e.producer))
                .collect();
            if ok.is_empty() { all } else { ok }
        };
        let Some(edge) = edges.get(rng.random_range(0..edges.len().max(1))) else {
            continue;
        };
        let pooled = edge.resource.as_deref().and_then(|r| {
            let live = lock(ctx.producers.live());
            let values = live.values(r);
            // Only for an operation that has not answered 2xx yet (see `push_with_producers`).
            let unreached = live.fed() && !live.succeeded(op);
            (unreached && !values.is_empty() && rng.random_bool(0.2))
                .then(|| values[rng.random_range(0..values.len())].clone())
        });
        let value = match pooled {
            Some(value) => value,
            None => {
                let call = crate::mutate::sequence::generate_call(ctx, edge.producer, rng);
                seq.insert_call(target, call);
                target += 1;
                Node::Ref(crate::input::Reference {
                    call: target - 1,
                    source: edge.source.clone(),
                })
            }
        };
        if let Some(body) = seq.calls[target].body.as_mut() {
            replace_field(&mut body.value, &field, &value, 0);
        }
    }
}

/// Names of object members that look like references to other resources (`*_id`, `*Id`).
fn collect_id_fields(node: &Node, depth: usize, out: &mut Vec<String>) {
    if depth > 4 {
        return;
    }
    match node {
        Node::Object(members) => {
            for (key, value) in members {
                if field_resource(key).is_some() && !out.contains(key) {
                    out.push(key.clone());
                }
                collect_id_fields(value, depth + 1, out);
            }
        }
        Node::Array(items) => items
            .iter()
            .for_each(|i| collect_id_fields(i, depth + 1, out)),
        _ => {}
    }
}

/// Sets every member called `field` (at any depth up to 4) to `value`.
fn replace_field(node: &mut Node, field: &str, value: &Node, depth: usize) {
    if depth > 4 {
        return;
    }
    match node {
        Node::Object(members) => {
            for (key, member) in members.iter_mut() {
                if key == field && !matches!(member, Node::Object(_) | Node::Array(_)) {
                    *member = value.clone();
                } else {
                    replace_field(member, field, value, depth + 1);
                }
            }
        }
        Node::Array(items) => items
            .iter_mut()
            .for_each(|i| replace_field(i, field, value, depth + 1)),
        _ => {}
    }
}

/// Replaces one parameter (not a reference to a producer) or one top-level body field of `call`
/// with a value generated in `mode`.
fn insert_one<R: rand::Rng + ?Sized>(
    ctx: &SeqContext,
    call: &mut Call,
    op: usize,
    mode: Mode,
    rng: &mut R,
) {
    let operation = &ctx.model.operations[op];
    let params: Vec<&Parameter> = operation
        .parameters
        .iter()
        .filter(|p| !matches!(call.param(&p.name, p.location), Some(Node::Ref(_))))
        .collect();
    let body_schema = operation
        .request_body
        .as_ref()
        .and_then(|rb| rb.content.first())
        .map(|m| &m.schema);
    let fields: Vec<(String, Value)> = body_schema
        .and_then(|s| ctx.generator.resolve(s).get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let points = params.len() + fields.len().max(usize::from(body_schema.is_some()));
    if points == 0 {
        return;
    }
    let pick = rng.random_range(0..points);
    if let Some(param) = params.get(pick) {
        let mut value = Node::from(ctx.generator.generate(&param.schema, mode, rng));
        crate::mutate::fit_in_url(&mut value, ctx.generator.resolve(&param.schema));
        match call
            .params
            .iter_mut()
            .find(|p| p.name == param.name && p.location == param.location)
        {
            Some(existing) => existing.value = Some(value),
            None => call.params.push(ParamValue {
                name: param.name.clone(),
                location: param.location,
                value: Some(value),
            }),
        }
        return;
    }
    let Some(body) = call.body.as_mut() else {
        return;
    };
    match (fields.get(pick - params.len()), &mut body.value) {
        (Some((name, schema)), Node::Object(members)) => {
            let value = Node::from(ctx.generator.generate(schema, mode, rng));
            match members.iter_mut().find(|(k, _)| k == name) {
                Some(member) => member.1 = value,
                None => members.push((name.clone(), value)),
            }
        }
        _ => {
            if let Some(schema) = body_schema {
                body.value = Node::from(ctx.generator.generate(schema, mode, rng));
            }
        }
    }
}

impl<E, EM, S, Z> Stage<E, EM, S, Z> for GenerationStage
where
    S: HasRand,
    Z: Evaluator<E, EM, RequestSeq, S>,
{
    fn perform(
        &mut self,
        fuzzer: &mut Z,
        executor: &mut E,
        state: &mut S,
        manager: &mut EM,
    ) -> Result<(), libafl::Error> {
        let mut rng = ChaCha8Rng::seed_from_u64(state.rand_mut().next());
        for _ in 0..PER_RUN {
            let seq = self.generate(&mut rng);
            fuzzer.evaluate_input(state, executor, manager, &seq)?;
        }
        Ok(())
    }
}

impl<S> Restartable<S> for GenerationStage {
    fn should_restart(&mut self, _state: &mut S) -> Result<bool, libafl::Error> {
        Ok(true)
    }

    fn clear_progress(&mut self, _state: &mut S) -> Result<(), libafl::Error> {
        Ok(())
    }
}
