//! `ProbeStage`: runs the follow-up sequences the probers derived (see [`crate::probe`]) through
//! the normal evaluation, so their findings are judged, deduplicated and saved like any other.

use libafl::Evaluator;
use libafl::stages::{Restartable, Stage};

use crate::input::RequestSeq;
use crate::probe::HasProbeQueue;

/// Probes run per stage run (one LibAFL `fuzz_one`), so probing never crowds out mutation.
const PER_RUN: usize = 8;

#[derive(Debug, Default)]
pub struct ProbeStage {
    /// Probes run so far.
    pub ran: u64,
}

impl ProbeStage {
    pub fn new() -> Self {
        ProbeStage::default()
    }
}

impl<E, EM, S, Z> Stage<E, EM, S, Z> for ProbeStage
where
    E: HasProbeQueue,
    Z: Evaluator<E, EM, RequestSeq, S>,
{
    fn perform(
        &mut self,
        fuzzer: &mut Z,
        executor: &mut E,
        state: &mut S,
        manager: &mut EM,
    ) -> Result<(), libafl::Error> {
        for _ in 0..PER_RUN {
            let Some(seq) = executor.probe_queue().pop() else {
                break;
            };
            self.ran += 1;
            fuzzer.evaluate_input(state, executor, manager, &seq)?;
        }
        Ok(())
    }
}

impl<S> Restartable<S> for ProbeStage {
    fn should_restart(&mut self, _state: &mut S) -> Result<bool, libafl::Error> {
        Ok(true)
    }

    fn clear_progress(&mut self, _state: &mut S) -> Result<(), libafl::Error> {
        Ok(())
    }
}
