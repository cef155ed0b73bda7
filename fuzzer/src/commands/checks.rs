//! Installs the configured checks (see [`crate::probe::plan`]) on a runner: the campaign and
//! `shrike repro` / `shrike minimize` judge sequences with the same oracles, so a lifecycle or
//! security finding replays exactly like a server error.

use std::sync::Arc;

use crate::auth::AuthFile;
use crate::campaign::runner::SeqRunner;
use crate::config::{FileConfig, Settings};
use crate::input::Identities;
use crate::mutate::SeqContext;
use crate::oracle::FindingKind;
use crate::probe::{PlanInputs, Prober, plan};
use crate::transport::Transport;

/// Adds the plan's response checks and whole-run oracles to `runner` and, with an auth file, the
/// re-login on 401; returns the runner and the probers (only a campaign runs those).
pub fn install<T: Transport>(
    mut runner: SeqRunner<T>,
    ctx: &Arc<SeqContext>,
    identities: &Identities,
    auth_file: Option<&AuthFile>,
    settings: &Settings,
) -> (SeqRunner<T>, Vec<Box<dyn Prober>>) {
    let plan = plan(&PlanInputs {
        ctx,
        identities,
        auth: auth_file,
        settings,
    });
    for check in plan.response_checks {
        runner = runner.with_check(check);
    }
    for oracle in plan.oracles {
        runner = runner.with_seq_oracle(oracle);
    }
    if let Some(file) = auth_file {
        let refresher = crate::auth::LoginRefresher::new(
            file.clone(),
            Arc::clone(&ctx.model),
            &runner.target_base_path(),
            Box::new(std::io::stderr()),
        );
        runner = runner.with_reauth(Box::new(refresher));
    }
    (runner, plan.probers)
}

/// The settings a replay judges with: the defaults, with the case's own kind switched on (a
/// `missing-rate-limit` case replays although that check is off by default).
pub fn replay_settings(spec: &std::path::Path, kind: FindingKind) -> Settings {
    let cli = FileConfig {
        spec: Some(spec.to_path_buf()),
        check: vec![kind.slug().to_owned()],
        ..FileConfig::default()
    };
    Settings::merge(None, cli).expect("defaults with a known check name are valid settings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_enable_the_case_kind_even_when_off_by_default() {
        let s = replay_settings(
            std::path::Path::new("api.yaml"),
            FindingKind::MissingRateLimit,
        );
        assert!(s.checks.is_enabled(FindingKind::MissingRateLimit));
        assert!(s.checks.is_enabled(FindingKind::BrokenObjectAuthorization));
    }
}
