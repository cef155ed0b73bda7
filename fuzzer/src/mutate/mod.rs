//! Structure-aware mutators of [`RequestSeq`](crate::input::RequestSeq), one per file.
//!
//! Value level: [`RegenerateLeafMutator`], [`BoundaryValueMutator`], [`InvalidValueMutator`],
//! [`AttackPayloadMutator`], [`StringHavocMutator`]. Structure level: [`ToggleOptionalFieldMutator`],
//! [`DropRequiredFieldMutator`], [`AddUndeclaredFieldMutator`], [`ResizeArrayMutator`],
//! [`SwitchOneOfMutator`]. Sequence level: [`AppendConsumerCallMutator`], [`RemoveCallMutator`],
//! [`SwapCallsMutator`], [`DuplicateCallMutator`], [`SpliceMutator`], [`ValueToReferenceMutator`],
//! [`ReferenceToValueMutator`].
//!
//! Every mutator draws one `u64` from LibAFL's state RNG and runs on a `ChaCha8Rng` seeded with it,
//! so a run is reproducible from the campaign seed. All keep the sequence invariant: a reference
//! always points to an earlier call that exists ([`RequestSeq::references_valid`]).
//!
//! [`RequestSeq::references_valid`]: crate::input::RequestSeq::references_valid

pub mod context;
pub mod producers;
pub mod sequence;
pub mod sites;
mod value;

mod add_undeclared_field;
mod append_consumer_call;
mod attack_payload;
mod boundary_value;
mod drop_required_field;
mod duplicate_call;
mod invalid_value;
mod reference_to_value;
mod regenerate_leaf;
mod remove_call;
mod resize_array;
mod splice;
mod string_havoc;
mod swap_calls;
mod switch_one_of;
mod toggle_optional_field;
mod value_to_reference;

#[cfg(test)]
mod behaviour_tests;
#[cfg(test)]
mod proptests;

use std::sync::Arc;

use libafl::mutators::{HavocScheduledMutator, MutationResult};
use libafl::state::HasRand;
use libafl_bolts::rands::Rand;
use libafl_bolts::tuples::{tuple_list, tuple_list_type};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use add_undeclared_field::AddUndeclaredFieldMutator;
pub use append_consumer_call::AppendConsumerCallMutator;
pub use attack_payload::AttackPayloadMutator;
pub use boundary_value::BoundaryValueMutator;
pub use context::SeqContext;
pub use drop_required_field::DropRequiredFieldMutator;
pub use duplicate_call::DuplicateCallMutator;
pub use invalid_value::InvalidValueMutator;
pub use reference_to_value::ReferenceToValueMutator;
pub use regenerate_leaf::RegenerateLeafMutator;
pub use remove_call::RemoveCallMutator;
pub use resize_array::ResizeArrayMutator;
pub use sequence::{generate_call, generate_seq};
pub use splice::SpliceMutator;
pub use string_havoc::StringHavocMutator;
pub use swap_calls::SwapCallsMutator;
pub use switch_one_of::SwitchOneOfMutator;
pub use toggle_optional_field::ToggleOptionalFieldMutator;
pub use value::{URL_VALUE_MAX, fit_in_url, fit_params};
pub use value_to_reference::ValueToReferenceMutator;

/// A `ChaCha8Rng` seeded from one draw of the LibAFL state's RNG.
pub fn seeded_rng<S: HasRand>(state: &mut S) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(state.rand_mut().next())
}

pub(crate) fn outcome(mutated: bool) -> MutationResult {
    if mutated {
        MutationResult::Mutated
    } else {
        MutationResult::Skipped
    }
}

/// Declares a mutator type holding the shared context, its `Named` impl and a LibAFL `Mutator`
/// impl that runs the type's `apply(&self, &mut RequestSeq, &mut ChaCha8Rng) -> bool` and then
/// enforces the reference invariant and the parameter size limit ([`fit_params`]).
macro_rules! seq_mutator {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            ctx: std::sync::Arc<$crate::mutate::SeqContext>,
        }

        impl $name {
            pub fn new(ctx: std::sync::Arc<$crate::mutate::SeqContext>) -> Self {
                Self { ctx }
            }

            /// The shared context this mutator draws schemas and producers from.
            pub fn context(&self) -> &$crate::mutate::SeqContext {
                &self.ctx
            }
        }

        impl libafl_bolts::Named for $name {
            fn name(&self) -> &std::borrow::Cow<'static, str> {
                static NAME: std::borrow::Cow<'static, str> =
                    std::borrow::Cow::Borrowed(stringify!($name));
                &NAME
            }
        }

        impl<S: libafl::state::HasRand> libafl::mutators::Mutator<$crate::input::RequestSeq, S>
            for $name
        {
            fn mutate(
                &mut self,
                state: &mut S,
                input: &mut $crate::input::RequestSeq,
            ) -> Result<libafl::mutators::MutationResult, libafl::Error> {
                let mut rng = $crate::mutate::seeded_rng(state);
                let mutated = self.apply(input, &mut rng);
                if !input.references_valid() {
                    input.repair();
                }
                $crate::mutate::fit_params(&self.ctx, input);
                Ok($crate::mutate::outcome(mutated))
            }

            fn post_exec(
                &mut self,
                _state: &mut S,
                _new_corpus_id: Option<libafl::corpus::CorpusId>,
            ) -> Result<(), libafl::Error> {
                Ok(())
            }
        }
    };
}
pub(crate) use seq_mutator;

/// The type of the whole mutator set, see [`mutations`].
pub type Mutations = tuple_list_type!(
    RegenerateLeafMutator,
    BoundaryValueMutator,
    InvalidValueMutator,
    AttackPayloadMutator,
    StringHavocMutator,
    ToggleOptionalFieldMutator,
    DropRequiredFieldMutator,
    AddUndeclaredFieldMutator,
    ResizeArrayMutator,
    SwitchOneOfMutator,
    AppendConsumerCallMutator,
    RemoveCallMutator,
    SwapCallsMutator,
    DuplicateCallMutator,
    SpliceMutator,
    ValueToReferenceMutator,
    ReferenceToValueMutator,
);

/// Every mutator, for the campaign's scheduled mutator.
pub fn mutations(ctx: &Arc<SeqContext>) -> Mutations {
    tuple_list!(
        RegenerateLeafMutator::new(ctx.clone()),
        BoundaryValueMutator::new(ctx.clone()),
        InvalidValueMutator::new(ctx.clone()),
        AttackPayloadMutator::new(ctx.clone()),
        StringHavocMutator::new(ctx.clone()),
        ToggleOptionalFieldMutator::new(ctx.clone()),
        DropRequiredFieldMutator::new(ctx.clone()),
        AddUndeclaredFieldMutator::new(ctx.clone()),
        ResizeArrayMutator::new(ctx.clone()),
        SwitchOneOfMutator::new(ctx.clone()),
        AppendConsumerCallMutator::new(ctx.clone()),
        RemoveCallMutator::new(ctx.clone()),
        SwapCallsMutator::new(ctx.clone()),
        DuplicateCallMutator::new(ctx.clone()),
        SpliceMutator::new(ctx.clone()),
        ValueToReferenceMutator::new(ctx.clone()),
        ReferenceToValueMutator::new(ctx.clone()),
    )
}

/// The havoc-style scheduler over [`mutations`]: stacks 2^1..2^max_stack_pow of them per input.
pub fn scheduled(ctx: &Arc<SeqContext>, max_stack_pow: usize) -> HavocScheduledMutator<Mutations> {
    HavocScheduledMutator::with_max_stack_pow(mutations(ctx), max_stack_pow)
}
