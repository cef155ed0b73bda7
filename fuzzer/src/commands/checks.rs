//! Builds a runner with the configured checks (see [`crate::probe::plan`]): the campaign and
//! `shrike repro` / `shrike minimize` judge sequences with the same oracles, so a lifecycle or
//! security finding replays exactly like a server error.

use std::sync::Arc;

use crate::auth::AuthFile;
use crate::campaign::runner::{RunnerConfig, SeqRunner};
use crate::config::{FileConfig, Settings};
use crate::input::Identities;
use crate::mutate::SeqContext;
use crate::oracle::{FindingKind, SchemaCheck};
use crate::probe::{PlanInputs, Prober, plan};
use crate::transport::{Target, Transport};

/// What a run is built from (see [`runner`]).
pub struct RunnerParts<'a, T> {
    pub target: Target,
    pub transport: T,
    pub identities: Identities,
    pub config: RunnerConfig,
    pub ctx: &'a Arc<SeqContext>,
    pub auth_file: Option<&'a AuthFile>,
    pub settings: &'a Settings,
}

/// The runner of a campaign or a replay: the schema check, the plan's response checks and
/// whole-run oracles and, with an auth file, the re-login on 401. Returns it with the probers
/// (only a campaign runs those). The one place that decides how a run is judged.
pub fn runner<T: Transport>(parts: RunnerParts<'_, T>) -> (SeqRunner<T>, Vec<Box<dyn Prober>>) {
    let RunnerParts {
        target,
        transport,
        identities,
        config,
        ctx,
        auth_file,
        settings,
    } = parts;
    let model = Arc::clone(&ctx.model);
    let plan = plan(&PlanInputs {
        ctx,
        identities: &identities,
        auth: auth_file,
        settings,
    });
    let mut runner = SeqRunner::new(Arc::clone(&model), target, transport, identities, config)
        .with_check(Box::new(SchemaCheck::new(model)));
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
