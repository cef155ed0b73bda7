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

/// Derived sequences waiting to be run, oldest first, at most `capacity` of them (further ones
/// are dropped: a prober that floods the queue must not starve the fuzzer).
#[derive(Debug)]
pub struct ProbeQueue {
    pending: VecDeque<RequestSeq>,
    capacity: usize,
    /// Probes dropped because the queue was full.
    pub dropped: u64,
}

impl ProbeQueue {
    pub fn new(capacity: usize) -> Self {
        ProbeQueue {
            pending: VecDeque::new(),
            capacity,
            dropped: 0,
        }
    }

    pub fn push(&mut self, seq: RequestSeq) {
        if self.pending.len() < self.capacity {
            self.pending.push_back(seq);
        } else {
            self.dropped += 1;
        }
    }

    pub fn pop(&mut self) -> Option<RequestSeq> {
        self.pending.pop_front()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
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

    #[test]
    fn queue_is_fifo_and_bounded() {
        let mut q = ProbeQueue::new(2);
        q.push(seq("a"));
        q.push(seq("b"));
        q.push(seq("c"));
        assert_eq!(q.len(), 2);
        assert_eq!(q.dropped, 1);
        assert_eq!(
            q.pop().map(|s| s.calls[0].operation.0.clone()),
            Some("a".into())
        );
        assert_eq!(
            q.pop().map(|s| s.calls[0].operation.0.clone()),
            Some("b".into())
        );
        assert!(q.pop().is_none());
        assert!(q.is_empty());
    }
}
