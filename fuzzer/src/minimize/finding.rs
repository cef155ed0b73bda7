//! Minimizing a finding the campaign just recorded: replays go through the campaign's own runner
//! (so the target, identities and oracles are the same), never through LibAFL's feedback, so they
//! count neither as executions nor as new findings.

use super::{MinimizeConfig, MinimizeStats, ReplayMatch, minimize, replay_matches};
use crate::campaign::feedback::NewFinding;
use crate::campaign::runner::SeqRunner;
use crate::mutate::SeqContext;
use crate::transport::Transport;

/// The minimized form of `finding` with the run that showed it, or `None` when minimization is
/// off. When nothing smaller reproduces, the finding comes back as it was.
pub fn minimize_finding<T: Transport>(
    ctx: &SeqContext,
    runner: &mut SeqRunner<T>,
    finding: &NewFinding,
    config: &MinimizeConfig,
) -> Option<(NewFinding, MinimizeStats)> {
    if !config.enabled() {
        return None;
    }
    let sequences = runner.stats.sequences;
    let signature = finding.finding.signature.clone();
    let mut best: Option<ReplayMatch> = None;
    let mut reproduces = |seq: &crate::input::RequestSeq| {
        if runner.halted() || runner.target_down() {
            return false;
        }
        match replay_matches(runner, seq, &signature) {
            Ok(found) => {
                best = Some(found);
                true
            }
            Err(_) => false,
        }
    };
    let (seq, stats) = minimize(ctx, &finding.seq, config, &mut reproduces);
    // Replays are not executions: the `--execs` budget counts fuzzing only.
    runner.stats.sequences = sequences;
    let minimized = match best {
        Some(found) => {
            let mut new = NewFinding::new(&found.finding, found.at, &seq, &found.run);
            new.found_after_s = finding.found_after_s;
            new
        }
        None => finding.clone(),
    };
    Some((minimized, stats))
}
