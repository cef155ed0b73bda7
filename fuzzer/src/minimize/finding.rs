//! Minimizing a finding the campaign just recorded: replays go through the campaign's own runner
//! (so the target, identities and oracles are the same), never through LibAFL's feedback, so they
//! count neither as executions nor as new findings.

use std::fmt;
use std::sync::Arc;

use super::{MinimizeConfig, MinimizeStats, ReplayMatch, minimize, replay_matches};
use crate::campaign::feedback::NewFinding;
use crate::campaign::runner::SeqRunner;
use crate::input::{Identities, RequestSeq};
use crate::mutate::SeqContext;
use crate::oracle::{FindingKind, Signature};
use crate::transport::Transport;

/// Logs the identities in again. A replay that crashes the target (a crash case) gets it
/// restarted by the supervisor, and a restarted target has forgotten its sessions: without fresh
/// tokens every later replay would only see 401s.
#[derive(Clone)]
pub struct Relogin(pub Arc<dyn Fn() -> Option<Identities> + Send + Sync>);

impl fmt::Debug for Relogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Relogin")
    }
}

impl Relogin {
    /// Logs in again when `runner` restarted its target since it had `restarts` restarts.
    pub fn after_restart<T: Transport>(&self, runner: &mut SeqRunner<T>, restarts: u64) {
        if runner.stats.restarts > restarts
            && let Some(identities) = (self.0)()
        {
            runner.set_identities(identities);
        }
    }
}

/// How many replays in a row must show a finding of this kind. A crash shows on the request
/// after the one that killed the target when the dying process still accepted a connection, so
/// crashes, dropped connections and timeouts must show twice.
fn confirmations(kind: FindingKind) -> usize {
    if matches!(
        kind,
        FindingKind::TargetCrash | FindingKind::ConnectionDropped | FindingKind::Timeout
    ) {
        2
    } else {
        1
    }
}

/// For a crash, dropped connection or timeout: whether its own sequence shows it again (twice in
/// a row); `None` when that cannot be told (no time left, target down, or another kind). A
/// `Some(false)` finding was blamed on the request after the one that caused it.
pub fn crash_shows_again<T: Transport>(
    runner: &mut SeqRunner<T>,
    finding: &NewFinding,
    relogin: Option<&Relogin>,
) -> Option<bool> {
    if confirmations(finding.finding.kind) < 2 {
        return None;
    }
    let sequences = runner.stats.sequences;
    let mut shown = Some(true);
    for _ in 0..2 {
        if runner.halted() || runner.target_down() {
            shown = None;
            break;
        }
        if replay_once(runner, &finding.seq, &finding.finding.signature, relogin).is_none() {
            shown = (!runner.halted() && !runner.target_down()).then_some(false);
            break;
        }
    }
    runner.stats.sequences = sequences;
    shown
}

/// One replay, with a new login when it restarted the target; the match when the signature showed.
fn replay_once<T: Transport>(
    runner: &mut SeqRunner<T>,
    seq: &RequestSeq,
    signature: &Signature,
    relogin: Option<&Relogin>,
) -> Option<ReplayMatch> {
    if runner.halted() || runner.target_down() {
        return None;
    }
    let restarts = runner.stats.restarts;
    let result = replay_matches(runner, seq, signature);
    if let Some(relogin) = relogin {
        relogin.after_restart(runner, restarts);
    }
    result.ok()
}

/// The minimized form of `finding` with the run that showed it, or `None` when minimization is
/// off. When nothing smaller reproduces, the finding comes back as it was.
pub fn minimize_finding<T: Transport>(
    ctx: &SeqContext,
    runner: &mut SeqRunner<T>,
    finding: &NewFinding,
    config: &MinimizeConfig,
    relogin: Option<&Relogin>,
) -> Option<(NewFinding, MinimizeStats)> {
    if !config.enabled() {
        return None;
    }
    let sequences = runner.stats.sequences;
    let signature = finding.finding.signature.clone();
    let mut best: Option<ReplayMatch> = None;
    let confirmations = confirmations(finding.finding.kind);
    let mut reproduces = |seq: &RequestSeq| {
        for _ in 0..confirmations {
            match replay_once(runner, seq, &signature, relogin) {
                Some(found) => best = Some(found),
                None => return false,
            }
        }
        true
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
