//! `GenerationStage`: fresh sequences from the spec next to the mutated ones.
//!
//! Mutation climbs from what the corpus holds; generation makes sure every operation keeps being
//! tried from scratch in every mode — valid (with the spec's examples as seeds), boundary, invalid
//! and attack — in a fixed round-robin over (operation, mode), so no operation starves however the
//! corpus grows. The target call's path parameters still come from producer calls generated valid.

use std::sync::Arc;

use libafl::Evaluator;
use libafl::stages::{Restartable, Stage};
use libafl::state::HasRand;
use libafl_bolts::rands::Rand;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::generate::Mode;
use crate::input::{Node, RequestSeq};
use crate::mutate::SeqContext;
use crate::mutate::sequence::{generate_call_in, push_with_producers};

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
        let fresh = generate_call_in(ctx, op, mode, rng);
        let call = &mut seq.calls[last];
        // Keep the references to producers (path parameters), take everything else fresh.
        for param in fresh.params {
            match call
                .params
                .iter_mut()
                .find(|p| p.name == param.name && p.location == param.location)
            {
                Some(existing) if matches!(existing.value, Some(Node::Ref(_))) => {}
                Some(existing) => *existing = param,
                None => call.params.push(param),
            }
        }
        call.body = fresh.body;
    }
    seq
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
