//! The objective: a finding whose signature was not seen before. Later hits of a known signature
//! are counted, not kept. New findings wait in [`FindingsMetadata::pending`] until the campaign loop
//! writes them to the case store and reports them.

use std::borrow::Cow;
use std::collections::BTreeMap;

use libafl::HasMetadata;
use libafl::executors::ExitKind;
use libafl::feedbacks::{Feedback, StateInitializer};
use libafl_bolts::Named;
use libafl_bolts::tuples::{Handle, Handled, MatchName, MatchNameRef};
use serde::{Deserialize, Serialize};

use super::observer::ExchangeObserver;
use super::runner::SeqRun;
use crate::input::RequestSeq;
use crate::oracle::{Finding, Signature};

/// A finding seen for the first time, with the sequence and exchanges that showed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewFinding {
    pub finding: Finding,
    /// The sequence, cut after the call that showed the finding.
    pub seq: RequestSeq,
    /// The exchanges up to and including the one that showed the finding.
    pub run: SeqRun,
    /// Seconds from the start of the campaign to the finding (set when it is written out).
    pub found_after_s: f64,
}

impl NewFinding {
    /// Keeps only what led to the finding: the calls up to the exchange that showed it.
    pub fn new(finding: &Finding, at: usize, seq: &RequestSeq, run: &SeqRun) -> Self {
        let exchanges: Vec<_> = run.exchanges.iter().take(at + 1).cloned().collect();
        let last_call = exchanges.last().map_or(0, |e| e.call);
        let seq = RequestSeq::new(seq.calls.iter().take(last_call + 1).cloned().collect());
        let run = SeqRun {
            exchanges,
            findings: vec![finding.clone()],
            finding_at: vec![at],
            facts: run.facts.iter().take(at + 1).cloned().collect(),
        };
        NewFinding {
            finding: finding.clone(),
            seq,
            run,
            found_after_s: 0.0,
        }
    }
}

/// Receives each new finding before it is reported anywhere else (the case store writes it).
pub trait FindingSink {
    fn record(&mut self, finding: &NewFinding) -> std::io::Result<()>;

    /// Receives the minimized form of a finding already recorded (the case store rewrites its
    /// case). The default keeps the original.
    fn record_minimized(
        &mut self,
        original: &NewFinding,
        minimized: &NewFinding,
        stats: &crate::minimize::MinimizeStats,
    ) -> std::io::Result<()> {
        let _ = (original, minimized, stats);
        Ok(())
    }

    /// Withdraws a finding already recorded that did not show again when replayed (a crash
    /// blamed on the wrong request). The default keeps it.
    fn withdraw(&mut self, finding: &NewFinding) -> std::io::Result<()> {
        let _ = finding;
        Ok(())
    }
}

/// Every signature seen so far with its hit count, and the new ones not yet written out.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FindingsMetadata {
    pub hits: BTreeMap<Signature, u64>,
    pub pending: Vec<NewFinding>,
}

libafl_bolts::impl_serdeany!(FindingsMetadata);

#[derive(Debug)]
pub struct NewFindingFeedback {
    observer: Handle<ExchangeObserver>,
}

impl NewFindingFeedback {
    pub fn new(observer: &ExchangeObserver) -> Self {
        NewFindingFeedback {
            observer: observer.handle(),
        }
    }
}

impl Named for NewFindingFeedback {
    fn name(&self) -> &Cow<'static, str> {
        static NAME: Cow<'static, str> = Cow::Borrowed("NewFindingFeedback");
        &NAME
    }
}

impl<S: HasMetadata> StateInitializer<S> for NewFindingFeedback {
    fn init_state(&mut self, state: &mut S) -> Result<(), libafl::Error> {
        state.metadata_or_insert_with(FindingsMetadata::default);
        Ok(())
    }
}

impl<EM, OT, S> Feedback<EM, RequestSeq, OT, S> for NewFindingFeedback
where
    OT: MatchName,
    S: HasMetadata,
{
    fn is_interesting(
        &mut self,
        state: &mut S,
        _manager: &mut EM,
        input: &RequestSeq,
        observers: &OT,
        _exit_kind: &ExitKind,
    ) -> Result<bool, libafl::Error> {
        let observer = observers
            .get(&self.observer)
            .ok_or_else(|| libafl::Error::illegal_state("the exchange observer is missing"))?;
        let run = observer.last();
        if run.findings.is_empty() {
            return Ok(false);
        }
        let meta = state.metadata_or_insert_with(FindingsMetadata::default);
        let mut new = false;
        for (finding, &at) in run.findings.iter().zip(&run.finding_at) {
            let hits = meta.hits.entry(finding.signature.clone()).or_insert(0);
            *hits += 1;
            if *hits == 1 {
                new = true;
                meta.pending.push(NewFinding::new(finding, at, input, run));
            }
        }
        Ok(new)
    }
}
