//! `shrike minimize`: shrink a saved case further (one saved by an older Shrike, or cut short by
//! its bounds) by replaying it against the target, then rewrite its folder atomically: `case.json`
//! (with the sizes before and after), `repro.sh` and `summary.txt`.
//!
//! Exit codes, as for `shrike repro`: 1 the finding reproduces (and the case was rewritten), 0 it
//! does not reproduce any more (the case is left as it was), 2 unusable case, 3 target unreachable.

use std::io::Write;
use std::path::PathBuf;

use super::CommandError;
use super::repro::{ReplayOptions, ReproOutcome, prepare};
use crate::campaign::feedback::NewFinding;
use crate::cases::ConcreteExchange;
use crate::cases::store::write_case_dir;
use crate::minimize::{MinimizeConfig, minimize_finding, replay_matches};

/// What `shrike minimize` was asked for.
#[derive(Debug, Clone)]
pub struct MinimizeRequest {
    pub case: PathBuf,
    pub replay: ReplayOptions,
    pub config: MinimizeConfig,
}

/// Minimizes the case and rewrites it when the finding still reproduces.
pub fn minimize(
    request: &MinimizeRequest,
    console: &mut dyn Write,
) -> Result<ReproOutcome, CommandError> {
    let mut replay = prepare(&request.case, &request.replay, console)?;
    let mut case = replay.case.clone();
    let found = match replay_matches(&mut replay.runner, &case.sequence, &case.signature) {
        Ok(found) => found,
        Err(_) => {
            let _ = writeln!(
                console,
                "{} does not reproduce; the case is left as it was",
                case.signature
            );
            return Ok(ReproOutcome {
                runs: 1,
                reproduced: 0,
            });
        }
    };
    let original = NewFinding::new(&found.finding, found.at, &case.sequence, &found.run);
    let ctx = super::setup::seq_context(&replay.model, None)?;
    let (smaller, stats) = minimize_finding(
        &ctx,
        &mut replay.runner,
        &original,
        &request.config,
        Some(&replay.relogin),
    )
    .unwrap_or_else(|| {
        let stats = crate::minimize::MinimizeStats {
            before: crate::minimize::SeqSize::of(&original.seq),
            after: crate::minimize::SeqSize::of(&original.seq),
            replays: 0,
            bounded: false,
        };
        (original.clone(), stats)
    });
    let ops = &replay.model.operations;
    let exchanges = smaller
        .run
        .exchanges
        .iter()
        .map(|ex| ConcreteExchange::from_exchange(ex, &ops[ex.op].id, &replay.secret_headers))
        .collect();
    case.replace_minimized(smaller.seq, exchanges, stats.replays, stats.bounded);
    write_case_dir(&replay.case_dir, &case).map_err(CommandError::io(format!(
        "cannot rewrite the case in {}",
        replay.case_dir.display()
    )))?;
    let m = case.minimized.expect("replace_minimized records the sizes");
    let _ = writeln!(
        console,
        "{}: {} → {} call(s), {} → {} body bytes in {} replay(s){}; rewritten in {}",
        case.signature,
        m.calls_before,
        m.calls_after,
        m.body_bytes_before,
        m.body_bytes_after,
        stats.replays,
        if stats.bounded {
            " (stopped by its bounds)"
        } else {
            ""
        },
        replay.case_dir.display()
    );
    if replay.runner.target_down() {
        let _ = writeln!(
            console,
            "note: the target stopped answering during minimization; pass --restart-cmd to bring it back between replays"
        );
    }
    Ok(ReproOutcome {
        runs: 1,
        reproduced: 1,
    })
}
