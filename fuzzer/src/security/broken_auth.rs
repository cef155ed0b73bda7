//! Broken authentication: an operation the spec protects (a security requirement, or a
//! documented 401/403) answers 2xx without credentials or with forged ones.
//!
//! The prober takes a call a configured identity got a 2xx for and re-sends it, after the calls
//! it depends on and the original call itself, as [`ANONYMOUS`] and as each forged twin of that
//! identity (malformed token; `alg: none`, unsigned and expired JWTs — see
//! [`crate::auth::forged`]). The oracle reports when such a call gets a 2xx whose body has the
//! same shape as the authenticated answer to the same call in the same run (so an answer that is
//! only a public subset, with fewer fields or items, is not taken for proof).

use std::collections::HashSet;
use std::sync::Arc;

use super::{
    Roles, closure, extract, protected, same_but_identity, same_shape, success, successes,
};
use crate::auth::forged::{Forgery, forged_name, parse_forged};
use crate::campaign::runner::SeqRun;
use crate::http::HttpRequest;
use crate::input::auth::{ANONYMOUS, is_synthetic};
use crate::input::{Identities, RequestSeq};
use crate::oracle::FindingKind;
use crate::probe::{Prober, SeqFinding, SeqOracle};
use crate::spec::Model;

const NAME: &str = "broken-authentication";

/// The synthetic identities a call as `identity` is re-sent as.
fn variants(identities: &Identities, identity: &str) -> Vec<String> {
    let mut out = vec![ANONYMOUS.to_owned()];
    out.extend(
        Forgery::ALL
            .into_iter()
            .map(|f| forged_name(f, identity))
            .filter(|name| identities.by_name.contains_key(name)),
    );
    out
}

/// How a synthetic identity is described in a finding.
fn describe(identity: &str) -> &'static str {
    match parse_forged(identity) {
        Some((forgery, _)) => forgery.describe(),
        None => "no credentials",
    }
}

pub struct BrokenAuthProber {
    model: Arc<Model>,
    roles: Roles,
    identities: Identities,
    /// Probe rounds per operation so far.
    probed: std::collections::HashMap<usize, u32>,
    /// Operations a probe ran on as planned (the original call succeeded again before the
    /// synthetic one): they are not probed again.
    concluded: HashSet<usize>,
}

/// Probe rounds per operation, at most.
const ROUNDS_PER_OP: u32 = 2;

impl BrokenAuthProber {
    pub fn new(model: Arc<Model>, roles: Roles, identities: Identities) -> Self {
        BrokenAuthProber {
            model,
            roles,
            identities,
            probed: std::collections::HashMap::new(),
            concluded: HashSet::new(),
        }
    }
}

impl Prober for BrokenAuthProber {
    fn name(&self) -> &'static str {
        NAME
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        _rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let mut out = Vec::new();
        for (m, exchange) in run.exchanges.iter().enumerate() {
            let Some(call) = seq.calls.get(exchange.call) else {
                continue;
            };
            let ran_as_planned = run.exchanges[..m].iter().any(|e| {
                success(e).is_some()
                    && seq
                        .calls
                        .get(e.call)
                        .is_some_and(|c| same_but_identity(c, call))
            });
            if is_synthetic(self.roles.resolve(call)) && ran_as_planned {
                self.concluded.insert(exchange.op);
            }
        }
        for exchange in &run.exchanges {
            let Some(call) = seq.calls.get(exchange.call) else {
                continue;
            };
            let identity = self.roles.resolve(call);
            let Some(op) = self.model.operations.get(exchange.op) else {
                continue;
            };
            if success(exchange).is_none()
                || !protected(&self.model, op)
                || !self.roles.is_real(identity)
                || self.concluded.contains(&exchange.op)
            {
                continue;
            }
            let rounds = self.probed.entry(exchange.op).or_default();
            if *rounds >= ROUNDS_PER_OP {
                continue;
            }
            *rounds += 1;
            let base = extract(seq, &closure(seq, exchange.call));
            let Some(last) = base.calls.last().cloned() else {
                continue;
            };
            for variant in variants(&self.identities, identity) {
                let mut probe = base.clone();
                probe.calls.push(super::as_identity(&last, &variant));
                out.push(probe);
            }
        }
        out
    }
}

pub struct BrokenAuthOracle {
    model: Arc<Model>,
    roles: Roles,
    /// The credential headers of the configured identities: a request that carries one of
    /// them (say through `--header`) is not unauthenticated.
    secrets: Vec<(String, String)>,
}

impl BrokenAuthOracle {
    pub fn new(model: Arc<Model>, roles: Roles, identities: &Identities) -> Self {
        let secrets = identities
            .names()
            .flat_map(|n| identities.by_name[n].headers.iter().cloned())
            .collect();
        BrokenAuthOracle {
            model,
            roles,
            secrets,
        }
    }

    fn carries_secret(&self, request: &HttpRequest) -> bool {
        self.secrets.iter().any(|(name, value)| {
            request
                .headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
        })
    }
}

impl SeqOracle for BrokenAuthOracle {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut reported = HashSet::new();
        let mut out = Vec::new();
        for ok in successes(seq, run, &self.model) {
            let identity = self.roles.resolve(ok.call);
            let synthetic = identity == ANONYMOUS || parse_forged(identity).is_some();
            if !synthetic
                || !protected(&self.model, ok.op)
                || self.carries_secret(&ok.exchange.request)
            {
                continue;
            }
            let authenticated = run.exchanges[..ok.at].iter().find_map(|earlier| {
                let c = seq.calls.get(earlier.call)?;
                let seen = success(earlier)?;
                (same_but_identity(c, ok.call) && self.roles.is_real(self.roles.resolve(c)))
                    .then_some((self.roles.resolve(c), seen))
            });
            let Some((owner, seen)) = authenticated else {
                continue;
            };
            if !same_shape(&seen.body, &ok.response.body) || !reported.insert(ok.exchange.op) {
                continue;
            }
            let detail = format!(
                "{} {} needs credentials (spec) but answered {} to a request with {}, \
                 the same answer {owner} gets",
                ok.op.method.as_str(),
                ok.op.path,
                ok.response.status,
                describe(identity)
            );
            out.push(ok.finding(FindingKind::BrokenAuthentication, detail));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::testkit::*;
    use rand::SeedableRng;

    fn oracle() -> BrokenAuthOracle {
        BrokenAuthOracle::new(Arc::new(model()), roles(), &identities())
    }

    #[test]
    fn prober_resends_a_protected_success_without_and_with_forged_credentials() {
        let model = Arc::new(model());
        let mut prober = BrokenAuthProber::new(Arc::clone(&model), roles(), identities());
        let seq = RequestSeq::new(vec![
            call("createOrder", None, None),
            call("getOrder", None, Some(0)),
        ]);
        let run = run_of(&model, &seq, &[(201, r#"{"id":3}"#), (200, r#"{"id":3}"#)]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let probes = prober.derive(&seq, &run, &mut rng);
        // Two operations, each re-sent anonymously and with a malformed token (opaque tokens:
        // no JWT forgeries).
        assert_eq!(probes.len(), 4);
        let get_probe = &probes[2];
        assert_eq!(get_probe.calls.len(), 3);
        assert_eq!(get_probe.calls[2].identity.as_deref(), Some(ANONYMOUS));
        assert!(get_probe.references_valid());
        assert_eq!(
            probes[3].calls[2].identity.as_deref(),
            Some("~malformed:alice")
        ); // Probing goes on (bounded) until a probe ran as planned.
        assert_eq!(prober.derive(&seq, &run, &mut rng).len(), 4);
        let probe_run = run_of(
            &model,
            &probes[2],
            &[(201, r#"{"id":4}"#), (200, r#"{"id":4}"#), (401, "{}")],
        );
        prober.derive(&probes[2], &probe_run, &mut rng);
        assert!(
            prober.derive(&seq, &run, &mut rng).is_empty(),
            "getOrder concluded; createOrder bounded to two rounds"
        );
    }

    #[test]
    fn anonymous_success_with_the_same_data_is_reported() {
        let model = model();
        let seq = RequestSeq::new(vec![
            call("getOrder", None, None),
            call("getOrder", Some(ANONYMOUS), None),
        ]);
        let body = r#"{"id":1,"status":"new"}"#;
        let run = run_of(&model, &seq, &[(200, body), (200, body)]);
        let found = oracle().check(&seq, &run);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].at, 1);
        assert_eq!(found[0].finding.kind, FindingKind::BrokenAuthentication);
        assert!(found[0].finding.detail.contains("no credentials"));
        assert_eq!(run.exchanges[1].request.header("authorization"), None);
    }

    #[test]
    fn a_forged_token_accepted_is_reported() {
        let model = model();
        let seq = RequestSeq::new(vec![
            call("getOrder", None, None),
            call("getOrder", Some("~malformed:alice"), None),
        ]);
        let body = r#"{"id":1,"status":"new"}"#;
        let run = run_of(&model, &seq, &[(200, body), (200, body)]);
        let found = oracle().check(&seq, &run);
        assert_eq!(found.len(), 1);
        assert!(found[0].finding.detail.contains("malformed"));
    }

    #[test]
    fn rejections_public_subsets_and_missing_baselines_are_not_reported() {
        let model = model();
        let seq = RequestSeq::new(vec![
            call("getOrder", None, None),
            call("getOrder", Some(ANONYMOUS), None),
        ]);
        let full = r#"{"id":1,"status":"new","quantity":2}"#;
        for answers in [
            [(200, full), (401, r#"{"error":"unauthorized"}"#)],
            [(200, full), (200, r#"{"id":1}"#)],
            [(404, "{}"), (200, full)],
        ] {
            let run = run_of(&model, &seq, &answers);
            assert!(oracle().check(&seq, &run).is_empty(), "{answers:?}");
        }
        // An unprotected operation (login) answering anonymously is no finding.
        let seq = RequestSeq::new(vec![
            call("login", None, None),
            call("login", Some(ANONYMOUS), None),
        ]);
        let run = run_of(&model, &seq, &[(200, "{}"), (200, "{}")]);
        assert!(oracle().check(&seq, &run).is_empty());
    }
}
