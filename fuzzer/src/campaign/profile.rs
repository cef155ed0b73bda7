//! `ProfileFeedback`: the deterministic stand-in for LibAFL's calibration.
//!
//! LibAFL's weighted (power) scheduler weighs corpus entries by execution time and map coverage,
//! which its `CalibrationStage` measures by re-running each entry and timing it. Wall-clock time
//! would make a campaign's choices depend on the machine's load, breaking "same seed, same
//! requests"; so this feedback records, when an entry joins the corpus, a nominal cost (1 ms per
//! call of the sequence) and the entry's map coverage, from the very execution that made it
//! interesting. It never makes an input interesting itself.

use std::borrow::Cow;
use std::time::Duration;

use libafl::HasMetadata;
use libafl::corpus::Testcase;
use libafl::executors::ExitKind;
use libafl::feedbacks::{Feedback, StateInitializer};
use libafl::observers::MapObserver;
use libafl::schedulers::powersched::SchedulerMetadata;
use libafl_bolts::Named;
use libafl_bolts::tuples::{Handle, Handled, MatchName, MatchNameRef};

use super::executor::NoveltyObserver;
use crate::input::RequestSeq;

/// Nominal cost of one call, standing in for measured execution time.
const COST_PER_CALL: Duration = Duration::from_millis(1);

#[derive(Debug)]
pub struct ProfileFeedback {
    map: Handle<NoveltyObserver>,
}

impl ProfileFeedback {
    pub fn new(map: &NoveltyObserver) -> Self {
        ProfileFeedback { map: map.handle() }
    }
}

impl Named for ProfileFeedback {
    fn name(&self) -> &Cow<'static, str> {
        static NAME: Cow<'static, str> = Cow::Borrowed("ProfileFeedback");
        &NAME
    }
}

impl<S> StateInitializer<S> for ProfileFeedback {}

impl<EM, OT, S> Feedback<EM, RequestSeq, OT, S> for ProfileFeedback
where
    OT: MatchName,
    S: HasMetadata,
{
    fn append_metadata(
        &mut self,
        state: &mut S,
        _manager: &mut EM,
        observers: &OT,
        testcase: &mut Testcase<RequestSeq>,
    ) -> Result<(), libafl::Error> {
        let map = observers
            .get(&self.map)
            .ok_or_else(|| libafl::Error::illegal_state("the novelty map observer is missing"))?;
        let bitmap_size = map.as_ref().count_bytes().max(1);
        let calls = testcase
            .input()
            .as_ref()
            .map_or(1, |seq| seq.calls.len().max(1));
        let cost = COST_PER_CALL * u32::try_from(calls).unwrap_or(u32::MAX);
        testcase.set_exec_time(cost);
        if let Ok(psmeta) = state.metadata_mut::<SchedulerMetadata>() {
            psmeta.set_exec_time(psmeta.exec_time() + cost);
            psmeta.set_cycles(psmeta.cycles() + 1);
            psmeta.set_bitmap_size(psmeta.bitmap_size() + bitmap_size);
            psmeta.set_bitmap_size_log(psmeta.bitmap_size_log() + (bitmap_size as f64).log2());
            psmeta.set_bitmap_entries(psmeta.bitmap_entries() + 1);
        }
        Ok(())
    }

    fn is_interesting(
        &mut self,
        _state: &mut S,
        _manager: &mut EM,
        _input: &RequestSeq,
        _observers: &OT,
        _exit_kind: &ExitKind,
    ) -> Result<bool, libafl::Error> {
        Ok(false)
    }
}

/// The size the minimizer scheduler weighs entries by: the number of value nodes of the sequence,
/// so short sequences with small bodies are preferred among entries covering the same keys.
impl libafl_bolts::HasLen for RequestSeq {
    fn len(&self) -> usize {
        self.size()
    }
}
