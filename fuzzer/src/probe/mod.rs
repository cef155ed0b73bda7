//! Checks that need more than one exchange: lifecycle oracles (use after delete, create not
//! readable, …) and the security checks that compare identities or payload pairs.
//!
//! They come in two halves, so that every finding stays a plain, replayable [`RequestSeq`]:
//! - a [`Prober`] looks at a sequence the campaign just ran and derives *follow-up sequences*
//!   worth running (e.g. the same sequence plus a read of the resource it deleted, or a call
//!   re-sent as another identity). The campaign runs them like any other input;
//! - a [`SeqOracle`] judges a whole run (every call and response of one sequence) and reports
//!   findings with the exchange that shows them. Oracles run inside [`SeqRunner::run`], so
//!   `shrike repro` and the minimizer judge a saved case exactly as the campaign did.
//!
//! [`SeqRunner::run`]: crate::campaign::runner::SeqRunner::run

pub mod lifecycle;
pub mod lifecycle_oracle;
mod lifecycle_values;
pub mod plan;
pub mod select;

use std::collections::VecDeque;

use crate::campaign::runner::SeqRun;
use crate::input::RequestSeq;
use crate::oracle::Finding;

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod lifecycle_tests;

pub use plan::{PlanInputs, ProbePlan, plan};
pub use select::CheckSelection;

/// A finding about a whole sequence, with the index (in `SeqRun::exchanges`) of the exchange
/// that shows it; the exchanges before it are its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqFinding {
    pub finding: Finding,
    pub at: usize,
}

/// Judges one run of a sequence. Pure: the same sequence and exchanges give the same findings.
pub trait SeqOracle: Send {
    /// The check's name as `--checks` spells it.
    fn name(&self) -> &'static str;

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding>;
}

/// Derives follow-up sequences from a run. Each prober remembers what it already probed, so the
/// total number of probes of a campaign stays bounded however long it runs.
pub trait Prober: Send {
    /// The check's name as `--checks` spells it.
    fn name(&self) -> &'static str;

    /// Sequences worth running after `seq` produced `run` (usually none; a few at most).
    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq>;
}

/// Derived sequences waiting to be run: one FIFO lane per prober, each holding at most
/// `capacity` sequences (further ones are dropped), popped round-robin across the lanes. A prober
/// that derives many probes (injection, on every parameter) fills only its own lane, so it can
/// neither starve the fuzzer nor crowd out a prober that derives few (BOLA, after a create).
#[derive(Debug)]
pub struct ProbeQueue {
    lanes: Vec<(&'static str, VecDeque<RequestSeq>)>,
    capacity: usize,
    /// The lane the next pop starts from.
    next: usize,
    /// Probes dropped because their lane was full.
    pub dropped: u64,
}

impl ProbeQueue {
    pub fn new(capacity: usize) -> Self {
        ProbeQueue {
            lanes: Vec::new(),
            capacity,
            next: 0,
            dropped: 0,
        }
    }

    /// Queues a probe in the lane of the prober `from`; false when that lane is full.
    pub fn push(&mut self, from: &'static str, seq: RequestSeq) -> bool {
        let lane = match self.lanes.iter().position(|(name, _)| *name == from) {
            Some(i) => i,
            None => {
                self.lanes.push((from, VecDeque::new()));
                self.lanes.len() - 1
            }
        };
        let pending = &mut self.lanes[lane].1;
        if pending.len() < self.capacity {
            pending.push_back(seq);
            true
        } else {
            self.dropped += 1;
            false
        }
    }

    /// The oldest probe of the next non-empty lane.
    pub fn pop(&mut self) -> Option<RequestSeq> {
        let n = self.lanes.len();
        for k in 0..n {
            let lane = (self.next + k) % n;
            if let Some(seq) = self.lanes[lane].1.pop_front() {
                self.next = (lane + 1) % n;
                return Some(seq);
            }
        }
        None
    }

    pub fn len(&self) -> usize {
        self.lanes.iter().map(|(_, lane)| lane.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whatever holds the probe queue (the campaign's executor) for the stage that drains it.
pub trait HasProbeQueue {
    fn probe_queue(&mut self) -> &mut ProbeQueue;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Call;
    use crate::spec::OperationId;

    fn seq(op: &str) -> RequestSeq {
        RequestSeq {
            calls: vec![Call::new(OperationId(op.to_owned()))],
        }
    }

    fn op(seq: Option<RequestSeq>) -> Option<String> {
        seq.map(|s| s.calls[0].operation.0.clone())
    }

    #[test]
    fn lanes_are_fifo_bounded_and_taken_in_turn() {
        let mut q = ProbeQueue::new(2);
        assert!(q.push("injection", seq("i1")));
        assert!(q.push("injection", seq("i2")));
        assert!(!q.push("injection", seq("i3")), "its lane is full");
        assert!(q.push("bola", seq("b1")), "another prober still gets in");
        assert_eq!((q.len(), q.dropped), (3, 1));
        assert_eq!(op(q.pop()), Some("i1".into()));
        assert_eq!(op(q.pop()), Some("b1".into()));
        assert_eq!(op(q.pop()), Some("i2".into()));
        assert!(q.pop().is_none());
        assert!(q.is_empty());
    }
}
