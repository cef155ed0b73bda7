//! `ProfileFeedback`: the deterministic stand-in for LibAFL's calibration.
//!
//! LibAFL's weighted (power) scheduler weighs corpus entries by execution time and map coverage,
//! which its `CalibrationStage` measures by re-running each entry and timing it. Wall-clock time
//! would make a campaign's choices depend on the machine's load, breaking "same seed, same
//! requests"; so this feedback records, when an entry joins the corpus, a nominal cost (1 ms per
//! call of the sequence) and the entry's map coverage, from the very execution that made it
//! interesting. Calls slower than the novelty map's first latency bucket (16 ms) add their bucketed
//! latency, so slow entries are scheduled less often without fast ones depending on jitter. It
//! never makes an input interesting itself.

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
use super::novelty::latency_bucket;
use super::observer::ExchangeObserver;
use super::runner::SeqRun;
use crate::input::RequestSeq;

#[derive(Debug)]
pub struct ProfileFeedback {
    map: Handle<NoveltyObserver>,
    exchanges: Handle<ExchangeObserver>,
}

impl ProfileFeedback {
    pub fn new(map: &NoveltyObserver, exchanges: &ExchangeObserver) -> Self {
        ProfileFeedback {
            map: map.handle(),
            exchanges: exchanges.handle(),
        }
    }
}

/// The deterministic cost of a run: 1 ms per call plus, for calls in a slow latency bucket, the
/// bucket's lower bound.
fn cost(run: &SeqRun) -> Duration {
    let ms: u64 = run
        .facts
        .iter()
        .map(|f| match latency_bucket(f.latency_us) {
            0 => 1,
            b => 1 + (8u64 << b.min(20)),
        })
        .sum();
    Duration::from_millis(ms.max(1))
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
        let exchanges = observers
            .get(&self.exchanges)
            .ok_or_else(|| libafl::Error::illegal_state("the exchange observer is missing"))?;
        let cost = cost(exchanges.last());
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
