//! [`SpliceMutator`]: keeps a prefix of this sequence and appends a suffix of another corpus entry,
//! renumbering the suffix's references and retargeting those that pointed into the dropped part.

use std::borrow::Cow;
use std::sync::Arc;

use libafl::Error;
use libafl::corpus::{Corpus, CorpusId};
use libafl::mutators::{MutationResult, Mutator};
use libafl::state::{HasCorpus, HasRand};
use libafl_bolts::Named;
use libafl_bolts::rands::Rand;
use rand::Rng;

use super::context::SeqContext;
use super::{outcome, seeded_rng};
use crate::input::{MAX_CALLS, RequestSeq};

/// Splices a suffix of another corpus entry onto a prefix of the input.
#[derive(Debug, Clone)]
pub struct SpliceMutator {
    ctx: Arc<SeqContext>,
}

impl SpliceMutator {
    pub fn new(ctx: Arc<SeqContext>) -> Self {
        SpliceMutator { ctx }
    }

    /// The shared context (splicing itself needs no schema; kept so every mutator is built alike).
    pub fn context(&self) -> &SeqContext {
        &self.ctx
    }

    /// `seq[..a] ++ other[b..]` for random cut points, at most [`MAX_CALLS`] long. A suffix
    /// reference into `other[..b]` is retargeted to the last prefix call of the same operation,
    /// or becomes a literal.
    pub fn apply<R: Rng + ?Sized>(seq: &mut RequestSeq, other: &RequestSeq, rng: &mut R) -> bool {
        if other.calls.is_empty() {
            return false;
        }
        let a = rng.random_range(0..=seq.calls.len().min(MAX_CALLS - 1));
        let b = rng.random_range(0..other.calls.len());
        seq.calls.truncate(a);
        let take = (MAX_CALLS - a).min(other.calls.len() - b);
        for call in &other.calls[b..b + take] {
            let mut call = call.clone();
            let prefix = &seq.calls[..a];
            call.remap_refs(&|k| {
                if k >= b {
                    Some(a + (k - b))
                } else {
                    let op = &other.calls.get(k)?.operation;
                    prefix.iter().rposition(|c| &c.operation == op)
                }
            });
            seq.calls.push(call);
        }
        seq.repair();
        true
    }
}

impl Named for SpliceMutator {
    fn name(&self) -> &Cow<'static, str> {
        static NAME: Cow<'static, str> = Cow::Borrowed("SpliceMutator");
        &NAME
    }
}

impl<S> Mutator<RequestSeq, S> for SpliceMutator
where
    S: HasRand + HasCorpus<RequestSeq>,
{
    fn mutate(&mut self, state: &mut S, input: &mut RequestSeq) -> Result<MutationResult, Error> {
        let count = state.corpus().count_all();
        if count == 0 {
            return Ok(MutationResult::Skipped);
        }
        let nth = state
            .rand_mut()
            .below(std::num::NonZero::new(count).expect("count > 0"));
        let id = state.corpus().nth_from_all(nth);
        if state.corpus().current().is_some_and(|cur| cur == id) {
            return Ok(MutationResult::Skipped);
        }
        let other = {
            let mut testcase = state.corpus().get_from_all(id)?.borrow_mut();
            testcase.load_input(state.corpus())?.clone()
        };
        let mut rng = seeded_rng(state);
        let mutated = Self::apply(input, &other, &mut rng);
        if !input.references_valid() {
            input.repair();
        }
        Ok(outcome(mutated))
    }

    fn post_exec(&mut self, _state: &mut S, _new_corpus_id: Option<CorpusId>) -> Result<(), Error> {
        Ok(())
    }
}
