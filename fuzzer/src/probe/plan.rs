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
use crate::security::cors::{CorsCheck, CorsProber};
use crate::security::disclosure::DisclosureOracle;
use crate::security::exposure::ExposureOracle;
use crate::security::injection::InjectionOracle;
use crate::security::injection_probe::InjectionProber;
use crate::spec::{Model, OperationId};

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
    let model = &inputs.ctx.model;
    if inputs.enabled(&[FindingKind::Injection]) {
        plan.oracles.push(Box::new(InjectionOracle));
        let max_calls = inputs.settings.max_calls;
        plan.probers
            .push(Box::new(InjectionProber::new(Arc::clone(model), max_calls)));
    }
    if inputs.enabled(&[FindingKind::DataExposure]) {
        let logins = login_operations(model, inputs.auth);
        plan.oracles
            .push(Box::new(ExposureOracle::new(Arc::clone(model), logins)));
    }
    if inputs.enabled(&[FindingKind::CorsMisconfiguration]) {
        plan.response_checks.push(Box::new(CorsCheck));
        plan.probers
            .push(Box::new(CorsProber::new(Arc::clone(model))));
    }
    if inputs.enabled(&[FindingKind::InformationDisclosure]) {
        plan.oracles
            .push(Box::new(DisclosureOracle::new(Arc::clone(model))));
    }
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
    identity_checks(inputs, &mut plan);
    plan
}

/// The operations the auth file logs in with (by operationId, or by method and path).
fn login_operations(model: &Model, auth: Option<&AuthFile>) -> Vec<OperationId> {
    let Some(auth) = auth else { return Vec::new() };
    auth.identities
        .iter()
        .filter_map(|i| i.login.as_ref())
        .filter_map(|login| {
            model.operations.iter().find(|op| {
                login.operation.as_deref() == Some(op.id.as_str())
                    || (login
                        .method
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(op.method.as_str()))
                        && login.path.as_deref() == Some(op.path.as_str()))
            })
        })
        .map(|op| op.id.clone())
        .collect()
}

/// The identity-based security checks (see [`crate::security`]).
fn identity_checks(inputs: &PlanInputs<'_>, plan: &mut ProbePlan) {
    use crate::security::{Roles, rate_limit};
    use crate::security::{bola, broken_auth, enumeration, function_auth, mass_assignment};
    let (ctx, ids, model) = (inputs.ctx, inputs.identities, &inputs.ctx.model);
    let roles = Roles::new(ids, inputs.auth);
    if inputs.enabled(&[FindingKind::BrokenAuthentication]) {
        let (m, r) = (Arc::clone(model), roles.clone());
        plan.probers
            .push(Box::new(broken_auth::BrokenAuthProber::new(
                m,
                r,
                ids.clone(),
            )));
        let (m, r) = (Arc::clone(model), roles.clone());
        plan.oracles
            .push(Box::new(broken_auth::BrokenAuthOracle::new(m, r, ids)));
    }
    if inputs.enabled(&[FindingKind::BrokenObjectAuthorization]) {
        plan.probers.push(Box::new(bola::BolaProber::new(
            Arc::clone(ctx),
            roles.clone(),
        )));
        plan.oracles.push(Box::new(bola::BolaOracle::new(
            Arc::clone(model),
            roles.clone(),
        )));
    }
    if inputs.enabled(&[FindingKind::BrokenFunctionAuthorization]) {
        let admin_ops = function_auth::admin_only_ops(model, inputs.auth);
        let prober = function_auth::FunctionAuthProber::new(roles.clone(), admin_ops.clone());
        plan.probers.push(Box::new(prober));
        let (m, r) = (Arc::clone(model), roles.clone());
        plan.oracles
            .push(Box::new(function_auth::FunctionAuthOracle::new(
                m, r, admin_ops,
            )));
    }
    if inputs.enabled(&[FindingKind::MassAssignment]) {
        let (c, r) = (Arc::clone(ctx), roles.clone());
        plan.probers
            .push(Box::new(mass_assignment::MassAssignmentProber::new(c, r)));
        let (c, r) = (Arc::clone(ctx), roles);
        plan.oracles
            .push(Box::new(mass_assignment::MassAssignmentOracle::new(c, r)));
    }
    // Password-reset bodies are generated once, from a fixed seed: the same spec gives the same probes.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
    let targets = enumeration::auth_targets(ctx, inputs.auth, &mut rng);
    if inputs.enabled(&[FindingKind::UserEnumeration]) && !targets.is_empty() {
        let prober = enumeration::EnumerationProber::new(Arc::clone(ctx), targets.clone());
        plan.probers.push(Box::new(prober));
        let oracle = enumeration::EnumerationOracle::new(Arc::clone(model), &targets);
        plan.oracles.push(Box::new(oracle));
    }
    if inputs.enabled(&[FindingKind::MissingRateLimit]) {
        let burst = rate_limit::DEFAULT_BURST;
        let prober = rate_limit::RateLimitProber::new(Arc::clone(model), &targets, burst);
        plan.probers.push(Box::new(prober));
        let oracle = rate_limit::RateLimitOracle::new(Arc::clone(model), &targets, burst);
        plan.oracles.push(Box::new(oracle));
    }
}

/// The lifecycle finding kinds (see [`super::lifecycle_oracle`]).
const LIFECYCLE: [FindingKind; 4] = [
    FindingKind::UseAfterDelete,
    FindingKind::CreateNotReadable,
    FindingKind::UpdateNotReadBack,
    FindingKind::LeakAfterFailedCreate,
];
