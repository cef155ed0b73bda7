//! Property and integration tests of the mutator set: every mutator keeps references valid, the same
//! seed gives the same output, and the set runs inside a LibAFL `StdState` with an in-memory corpus.

use std::sync::Arc;

use libafl::corpus::{Corpus, InMemoryCorpus, Testcase};
use libafl::feedbacks::ConstFeedback;
use libafl::mutators::{MutationResult, Mutator, MutatorsTuple};
use libafl::state::StdState;
use libafl_bolts::rands::StdRand;
use libafl_bolts::tuples::HasConstLen;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::input::strategies::valid_seq;
use crate::input::test_model::test_model;
use crate::input::{MAX_CALLS, RequestSeq};

const COUNT: usize = 17;

fn ctx() -> Arc<SeqContext> {
    Arc::new(SeqContext::new(Arc::new(test_model())))
}

/// Runs mutator `n` of the set (same order as [`mutations`]) without LibAFL.
fn apply_nth(
    ctx: &Arc<SeqContext>,
    n: usize,
    seq: &mut RequestSeq,
    other: &RequestSeq,
    rng: &mut ChaCha8Rng,
) -> bool {
    let c = ctx.clone();
    match n {
        0 => RegenerateLeafMutator::new(c).apply(seq, rng),
        1 => BoundaryValueMutator::new(c).apply(seq, rng),
        2 => InvalidValueMutator::new(c).apply(seq, rng),
        3 => AttackPayloadMutator::new(c).apply(seq, rng),
        4 => StringHavocMutator::new(c).apply(seq, rng),
        5 => ToggleOptionalFieldMutator::new(c).apply(seq, rng),
        6 => DropRequiredFieldMutator::new(c).apply(seq, rng),
        7 => AddUndeclaredFieldMutator::new(c).apply(seq, rng),
        8 => ResizeArrayMutator::new(c).apply(seq, rng),
        9 => SwitchOneOfMutator::new(c).apply(seq, rng),
        10 => AppendConsumerCallMutator::new(c).apply(seq, rng),
        11 => RemoveCallMutator::new(c).apply(seq, rng),
        12 => SwapCallsMutator::new(c).apply(seq, rng),
        13 => DuplicateCallMutator::new(c).apply(seq, rng),
        14 => SpliceMutator::apply(seq, other, rng),
        15 => ValueToReferenceMutator::new(c).apply(seq, rng),
        _ => ReferenceToValueMutator::new(c).apply(seq, rng),
    }
}

/// Realistic sequences (from the generator) or arbitrary ones with odd values.
fn seqs() -> impl Strategy<Value = RequestSeq> {
    prop_oneof![
        any::<u64>().prop_map(|seed| {
            let ctx = ctx();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut seq = generate_seq(&ctx, &mut rng);
            for _ in 0..seed % 4 {
                let more = generate_seq(&ctx, &mut rng);
                SpliceMutator::apply(&mut seq, &more, &mut rng);
            }
            seq
        }),
        valid_seq(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_mutator_keeps_references_valid(seq in seqs(), other in seqs(), seed in any::<u64>()) {
        let ctx = ctx();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for n in 0..COUNT {
            let mut mutant = seq.clone();
            // A few rounds, so mutators also run on each other's output.
            for round in 0..3 {
                let m = (n + round * 5) % COUNT;
                apply_nth(&ctx, m, &mut mutant, &other, &mut rng);
                prop_assert!(mutant.references_valid(), "mutator {} broke {:?}", m, mutant);
                prop_assert!(mutant.calls.len() <= MAX_CALLS.max(seq.calls.len()));
            }
        }
    }

    #[test]
    fn same_seed_same_mutation(seq in seqs(), other in seqs(), seed in any::<u64>()) {
        let ctx = ctx();
        for n in 0..COUNT {
            let (mut a, mut b) = (seq.clone(), seq.clone());
            let ra = apply_nth(&ctx, n, &mut a, &other, &mut ChaCha8Rng::seed_from_u64(seed));
            let rb = apply_nth(&ctx, n, &mut b, &other, &mut ChaCha8Rng::seed_from_u64(seed));
            prop_assert_eq!(ra, rb);
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn same_seed_same_sequence(seed in any::<u64>()) {
        let ctx = ctx();
        let a = generate_seq(&ctx, &mut ChaCha8Rng::seed_from_u64(seed));
        let b = generate_seq(&ctx, &mut ChaCha8Rng::seed_from_u64(seed));
        prop_assert!(a.references_valid());
        prop_assert_eq!(a, b);
    }
}

type TestState =
    StdState<InMemoryCorpus<RequestSeq>, RequestSeq, StdRand, InMemoryCorpus<RequestSeq>>;

fn test_state(seed: u64) -> TestState {
    let ctx = ctx();
    let mut corpus = InMemoryCorpus::new();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..4 {
        corpus
            .add(Testcase::new(generate_seq(&ctx, &mut rng)))
            .expect("add to an in-memory corpus");
    }
    let mut feedback = ConstFeedback::new(false);
    let mut objective = ConstFeedback::new(false);
    StdState::new(
        StdRand::with_seed(seed),
        corpus,
        InMemoryCorpus::new(),
        &mut feedback,
        &mut objective,
    )
    .expect("state")
}

/// Runs every mutator of the set, then the havoc scheduler, on generated inputs; returns the mutants.
fn run_libafl(seed: u64) -> Vec<RequestSeq> {
    let ctx = ctx();
    let mut state = test_state(seed);
    let mut set = mutations(&ctx);
    assert_eq!(Mutations::LEN, COUNT);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    let mut mutated = [0usize; COUNT];
    for _ in 0..30 {
        let input = generate_seq(&ctx, &mut rng);
        for (n, count) in mutated.iter_mut().enumerate() {
            let mut mutant = input.clone();
            let result = set
                .get_and_mutate(n.into(), &mut state, &mut mutant)
                .expect("mutate");
            assert!(mutant.references_valid());
            if result == MutationResult::Mutated {
                *count += 1;
            }
            out.push(mutant);
        }
    }
    // Each mutator applies to some realistic input of the shop API.
    for (n, count) in mutated.iter().enumerate() {
        assert!(*count > 0, "mutator {n} never applied");
    }
    let mut havoc = scheduled(&ctx, 4);
    for _ in 0..200 {
        let mut mutant = generate_seq(&ctx, &mut rng);
        havoc.mutate(&mut state, &mut mutant).expect("havoc");
        assert!(mutant.references_valid());
        assert!(mutant.calls.len() <= MAX_CALLS);
        out.push(mutant);
    }
    out
}

#[test]
fn whole_set_runs_in_a_libafl_state_deterministically() {
    let a = run_libafl(1337);
    let b = run_libafl(1337);
    assert_eq!(a, b);
    assert_ne!(a, run_libafl(1338));
}

#[test]
fn names_are_type_names() {
    use libafl_bolts::Named;
    let ctx = ctx();
    assert_eq!(
        RemoveCallMutator::new(ctx.clone()).name(),
        "RemoveCallMutator"
    );
    assert_eq!(SpliceMutator::new(ctx).name(), "SpliceMutator");
}
