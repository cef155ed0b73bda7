//! The predicate minimization and `shrike repro` share: replay a sequence through the runner and
//! look for the finding's signature among what the oracles report.

use crate::campaign::runner::{SeqRun, SeqRunner};
use crate::input::RequestSeq;
use crate::oracle::{Finding, Signature};
use crate::transport::Transport;

/// A replay that showed the signature again.
#[derive(Debug, Clone)]
pub struct ReplayMatch {
    pub finding: Finding,
    /// Index in `run.exchanges` of the exchange that showed it.
    pub at: usize,
    pub run: SeqRun,
}

/// Runs `seq` once; `Ok` with the match when a finding with `signature` came back, `Err` with the
/// run otherwise. Nothing is recorded anywhere: a replay never counts as a new finding.
pub fn replay_matches<T: Transport>(
    runner: &mut SeqRunner<T>,
    seq: &RequestSeq,
    signature: &Signature,
) -> Result<ReplayMatch, SeqRun> {
    let run = runner.run(seq);
    let found = run
        .findings
        .iter()
        .zip(&run.finding_at)
        .find(|(f, _)| &f.signature == signature)
        .map(|(f, &at)| (f.clone(), at));
    match found {
        Some((finding, at)) => Ok(ReplayMatch { finding, at, run }),
        None => Err(run),
    }
}
