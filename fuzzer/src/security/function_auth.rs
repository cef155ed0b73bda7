//! Broken function-level authorization: a non-admin identity succeeds on an operation reserved
//! to admins.
//!
//! Admin-only operations are those the auth file lists (`admin-only = [...]`) and those the spec
//! marks: every security alternative asks for a scope named like `admin`, a tag `admin`, or a
//! summary that says `(admin)` / `admin only`. The prober re-sends a call of such an operation
//! as an admin identity and then as a customer identity; the oracle reports the customer's 2xx
//! when the admin's identical call succeeded too (so the operation works, and works for admins).

use std::collections::HashSet;
use std::sync::Arc;

use super::{Roles, as_identity, closure, extract, same_but_identity, success, successes};
use crate::auth::AuthFile;
use crate::campaign::runner::SeqRun;
use crate::input::RequestSeq;
use crate::oracle::FindingKind;
use crate::probe::{Prober, SeqFinding, SeqOracle};
use crate::spec::{Model, Operation};

const NAME: &str = "broken-function-authorization";

/// True when the spec marks `op` as admin-only, or `listed` names it.
pub fn admin_only(op: &Operation, listed: &[String]) -> bool {
    let adminish = |s: &str| s.to_ascii_lowercase().contains("admin");
    let summary = op
        .summary
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    listed.iter().any(|l| l == op.id.as_str())
        || (!op.security.is_empty()
            && op
                .security
                .iter()
                .all(|alt| alt.values().flatten().any(|scope| adminish(scope))))
        || op.tags.iter().any(|t| t.eq_ignore_ascii_case("admin"))
        || ["(admin)", "(admin only)", "admin only", "admins only"]
            .iter()
            .any(|marker| summary.contains(marker))
}

/// The indices of the admin-only operations of `model`.
pub fn admin_only_ops(model: &Model, auth: Option<&AuthFile>) -> HashSet<usize> {
    let listed = auth.map(|a| a.admin_only.as_slice()).unwrap_or_default();
    model
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| admin_only(op, listed))
        .map(|(i, _)| i)
        .collect()
}

pub struct FunctionAuthProber {
    roles: Roles,
    admin_ops: HashSet<usize>,
    probed: HashSet<usize>,
}

impl FunctionAuthProber {
    pub fn new(roles: Roles, admin_ops: HashSet<usize>) -> Self {
        FunctionAuthProber {
            roles,
            admin_ops,
            probed: HashSet::new(),
        }
    }
}

impl Prober for FunctionAuthProber {
    fn name(&self) -> &'static str {
        NAME
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        _rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let (Some(admin), Some(customer)) = (
            self.roles.admins().next().map(str::to_owned),
            self.roles.customers().next().map(str::to_owned),
        ) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for exchange in &run.exchanges {
            if !self.admin_ops.contains(&exchange.op) || !self.probed.insert(exchange.op) {
                continue;
            }
            let Some(call) = seq.calls.get(exchange.call) else {
                continue;
            };
            let mut indices = closure(seq, exchange.call);
            indices.pop();
            let mut probe = extract(seq, &indices);
            let mut moved = call.clone();
            moved.remap_refs(&|old| indices.iter().position(|&i| i == old));
            probe.calls.push(as_identity(&moved, &admin));
            probe.calls.push(as_identity(&moved, &customer));
            out.push(probe);
        }
        out
    }
}

pub struct FunctionAuthOracle {
    model: Arc<Model>,
    roles: Roles,
    admin_ops: HashSet<usize>,
}

impl FunctionAuthOracle {
    pub fn new(model: Arc<Model>, roles: Roles, admin_ops: HashSet<usize>) -> Self {
        FunctionAuthOracle {
            model,
            roles,
            admin_ops,
        }
    }
}

impl SeqOracle for FunctionAuthOracle {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut out: Vec<SeqFinding> = Vec::new();
        for ok in successes(seq, run, &self.model) {
            let who = self.roles.resolve(ok.call);
            if !self.admin_ops.contains(&ok.exchange.op) || !self.roles.is_customer(who) {
                continue;
            }
            let admin = run.exchanges[..ok.at].iter().find_map(|e| {
                let c = seq.calls.get(e.call)?;
                success(e)?;
                let name = self.roles.resolve(c);
                (same_but_identity(c, ok.call) && self.roles.is_admin(name)).then_some(name)
            });
            let Some(admin) = admin else { continue };
            if out.iter().any(|f| f.finding.operation == ok.op.id) {
                continue;
            }
            let detail = format!(
                "{who} (not an admin) got {} from {} {}, an admin-only operation ({admin} succeeded on the same call)",
                ok.response.status,
                ok.op.method.as_str(),
                ok.op.path,
            );
            out.push(ok.finding(FindingKind::BrokenFunctionAuthorization, detail));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::testkit::*;
    use rand::SeedableRng;

    fn admin_model() -> Model {
        let mut model = model();
        for op in &mut model.operations {
            if op.id.0 == "deleteOrder" {
                op.summary = Some("Remove an order (admin)".into());
            }
            if op.id.0 == "getOrder" {
                op.summary = Some("One order (admins see any)".into());
            }
        }
        model
    }

    #[test]
    fn admin_only_operations_from_spec_and_auth_file() {
        let model = admin_model();
        let ops = admin_only_ops(&model, Some(&auth_file()));
        let names: Vec<&str> = ops
            .iter()
            .map(|&i| model.operations[i].id.as_str())
            .collect();
        assert_eq!(names, vec!["deleteOrder"]);
        let mut listed = auth_file();
        listed.admin_only = vec!["updateOrder".into()];
        assert_eq!(admin_only_ops(&model, Some(&listed)).len(), 2);
        let mut scoped = model.operations[0].clone();
        scoped.security = vec![[("oauth".to_owned(), vec!["orders:admin".to_owned()])].into()];
        assert!(admin_only(&scoped, &[]));
    }

    #[test]
    fn prober_sends_admin_then_customer() {
        let model = Arc::new(admin_model());
        let ops = admin_only_ops(&model, None);
        let mut prober = FunctionAuthProber::new(roles(), ops);
        let seq = RequestSeq::new(vec![
            call("createOrder", None, None),
            call("deleteOrder", None, Some(0)),
        ]);
        let run = run_of(&model, &seq, &[(201, r#"{"id":2}"#), (403, "{}")]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let probes = prober.derive(&seq, &run, &mut rng);
        assert_eq!(probes.len(), 1);
        let ids: Vec<Option<&str>> = probes[0]
            .calls
            .iter()
            .map(|c| c.identity.as_deref())
            .collect();
        assert_eq!(ids, vec![None, Some("root"), Some("alice")]);
        assert!(probes[0].references_valid());
    }

    #[test]
    fn customer_success_after_admin_success_is_reported_and_nothing_else() {
        let model = Arc::new(admin_model());
        let ops = admin_only_ops(&model, None);
        let oracle = FunctionAuthOracle::new(Arc::clone(&model), roles(), ops);
        let seq = RequestSeq::new(vec![
            call("deleteOrder", Some("root"), None),
            call("deleteOrder", Some("bob"), None),
        ]);
        let run = run_of(&model, &seq, &[(204, ""), (204, "")]);
        let found = oracle.check(&seq, &run);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].finding.kind,
            FindingKind::BrokenFunctionAuthorization
        );
        for answers in [[(204, ""), (403, "{}")], [(404, "{}"), (204, "")]] {
            let run = run_of(&model, &seq, &answers);
            assert!(oracle.check(&seq, &run).is_empty(), "{answers:?}");
        }
        // Not admin-only: getOrder ("admins see any") by both is no finding.
        let seq = RequestSeq::new(vec![
            call("getOrder", Some("root"), None),
            call("getOrder", Some("bob"), None),
        ]);
        let run = run_of(&model, &seq, &[(200, "{}"), (200, "{}")]);
        assert!(oracle.check(&seq, &run).is_empty());
    }
}
