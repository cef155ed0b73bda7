//! Which multi-request checks a campaign (and `repro`, and the minimizer) runs: the one place that
//! turns the configuration into oracles and probers.

use std::sync::Arc;

use super::{Prober, SeqOracle};
use crate::auth::AuthFile;
use crate::campaign::runner::ResponseCheck;
use crate::config::Settings;
use crate::input::Identities;
use crate::mutate::SeqContext;
use crate::oracle::FindingKind;

/// What a plan is built from.
pub struct PlanInputs<'a> {
    pub ctx: &'a Arc<SeqContext>,
    pub identities: &'a Identities,
    /// The auth file, when `--auth` gave one (roles of identities, login operation).
    pub auth: Option<&'a AuthFile>,
    pub settings: &'a Settings,
}

/// The checks to install: per-response checks and whole-run oracles go into every `SeqRunner`
/// (campaign, repro, minimize); probers only into the campaign's executor.
#[derive(Default)]
pub struct ProbePlan {
    pub response_checks: Vec<Box<dyn ResponseCheck>>,
    pub oracles: Vec<Box<dyn SeqOracle>>,
    pub probers: Vec<Box<dyn Prober>>,
}

impl ProbePlan {
    /// The names of the installed checks, for the start-up line and the report.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .oracles
            .iter()
            .map(|o| o.name())
            .chain(self.probers.iter().map(|p| p.name()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

impl PlanInputs<'_> {
    /// True when the selection (`--checks`, `--check`, `--skip-checks`) enables any of `kinds`.
    pub fn enabled(&self, kinds: &[FindingKind]) -> bool {
        self.settings.checks.any_enabled(kinds)
    }
}

/// The checks the configuration asks for. Each check registers here, guarded by
/// [`PlanInputs::enabled`] for the finding kinds it reports.
pub fn plan(inputs: &PlanInputs<'_>) -> ProbePlan {
    let mut plan = ProbePlan::default();
    // The live value pool of the dependency graph is fed after every run, whatever checks run.
    let others: Vec<String> = inputs
        .identities
        .names()
        .filter(|n| *n != inputs.identities.default)
        .map(str::to_owned)
        .collect();
    plan.probers
        .push(Box::new(super::lifecycle::LiveFeeder::new(
            Arc::clone(inputs.ctx),
            others,
        )));
    let lifecycle: Vec<FindingKind> = LIFECYCLE
        .into_iter()
        .filter(|k| inputs.enabled(&[*k]))
        .collect();
    if !lifecycle.is_empty() {
        let ctx = inputs.ctx;
        let graph = ctx.producers.graph().clone();
        plan.oracles
            .push(Box::new(super::lifecycle_oracle::LifecycleOracle::new(
                Arc::clone(&ctx.model),
                graph,
                lifecycle.clone(),
            )));
        plan.probers
            .push(Box::new(super::lifecycle::LifecycleProber::new(
                Arc::clone(ctx),
                lifecycle,
            )));
    }
    plan
}

/// The lifecycle finding kinds (see [`super::lifecycle_oracle`]).
const LIFECYCLE: [FindingKind; 4] = [
    FindingKind::UseAfterDelete,
    FindingKind::CreateNotReadable,
    FindingKind::UpdateNotReadBack,
    FindingKind::LeakAfterFailedCreate,
];
