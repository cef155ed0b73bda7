//! Broken object-level authorization (BOLA / IDOR): identity B reads, changes or deletes an
//! object identity A created, and the target lets it.
//!
//! Ownership comes from the sequence (see [`super::ownership`]): A's authenticated create, then a
//! call addressing the created object through a reference to the create's response. The prober
//! re-sends such a call as B, a configured identity of the same role as A (neither an admin),
//! after A's create (and, for a read, after A's own read: what A sees). The oracle reports B's 2xx
//! on a change or delete, and on a read only when B's answer carries A's data (see
//! [`super::same_data`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::ownership::owner;
use super::{Roles, as_identity, closure, extract, protected, same_but_identity, same_data};
use super::{success, successes};
use crate::campaign::runner::{Exchange, SeqRun};
use crate::input::RequestSeq;
use crate::mutate::SeqContext;
use crate::oracle::FindingKind;
use crate::probe::{Prober, SeqFinding, SeqOracle};
use crate::security::mass_assignment::read_back;
use crate::spec::{Method, Model};

const NAME: &str = "bola";
/// Probes per operation, at most (a probe is inconclusive when its create fails, say because
/// stock ran out; one that ran as planned ends the probing of its operation).
const PROBES_PER_OP: u32 = 12;

pub struct BolaProber {
    ctx: Arc<SeqContext>,
    model: Arc<Model>,
    roles: Roles,
    probed: HashMap<usize, u32>,
    /// Operations a probe ran on as planned: a peer's call on an object the owner created.
    concluded: std::collections::HashSet<usize>,
}

impl BolaProber {
    pub fn new(ctx: Arc<SeqContext>, roles: Roles) -> Self {
        BolaProber {
            model: Arc::clone(&ctx.model),
            ctx,
            roles,
            probed: HashMap::new(),
            concluded: std::collections::HashSet::new(),
        }
    }
}

impl Prober for BolaProber {
    fn name(&self) -> &'static str {
        NAME
    }
    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        for exchange in &run.exchanges {
            if self.judgeable(seq, run, exchange) && self.concluded.insert(exchange.op) {
                tracing::debug!("bola: probing of operation {} concluded", exchange.op);
            }
        }
        let mut out = self.after_creates(seq, run, rng);
        for exchange in &run.exchanges {
            let k = exchange.call;
            if self.concluded.contains(&exchange.op) {
                continue;
            }
            let (Some(call), Some(op)) = (seq.calls.get(k), self.model.operations.get(exchange.op))
            else {
                continue;
            };
            if success(exchange).is_none()
                || op.method == Method::Post
                || !protected(&self.model, op)
            {
                continue;
            }
            let a = self.roles.resolve(call);
            let Some(owner) = owner(seq, run, &self.model, &self.roles, k) else {
                continue;
            };
            let Some(b) = self.roles.peer_of(a).filter(|_| owner.identity == a) else {
                continue;
            };
            let count = self.probed.entry(exchange.op).or_default();
            if *count >= PROBES_PER_OP {
                continue;
            }
            *count += 1;
            let mut indices = closure(seq, k);
            if op.method != Method::Get {
                // A change or delete is re-sent by B instead of A's, not after it.
                indices.pop();
            }
            let mut probe = extract(seq, &indices);
            let mut moved = call.clone();
            moved.remap_refs(&|old| indices.iter().position(|&i| i == old));
            probe.calls.push(as_identity(&moved, b));
            out.push(probe);
        }
        out
    }
}

impl BolaProber {
    /// True when `exchange` is a call the oracle can judge: a peer of the owner addresses an
    /// object created in the sequence, and for a read, the owner's identical read succeeded
    /// before (what the peer's answer is compared with). Such a run ends the probing of its
    /// operation, whatever the verdict.
    fn judgeable(&self, seq: &RequestSeq, run: &SeqRun, exchange: &Exchange) -> bool {
        let (Some(call), Some(op)) = (
            seq.calls.get(exchange.call),
            self.model.operations.get(exchange.op),
        ) else {
            return false;
        };
        let who = self.roles.resolve(call);
        let Some(created) = owner(seq, run, &self.model, &self.roles, exchange.call) else {
            return false;
        };
        if !self.roles.peers(&created.identity, who) {
            return false;
        }
        op.method != Method::Get
            || run
                .exchanges
                .iter()
                .take_while(|e| e.call < exchange.call)
                .any(|e| {
                    success(e).is_some()
                        && seq.calls.get(e.call).is_some_and(|c| {
                            same_but_identity(c, call) && self.roles.resolve(c) == created.identity
                        })
                })
    }

    /// Probes after a customer's successful create: the create again, the owner's read of the
    /// created object (the spec's link), then the same read by a peer — so BOLA is probed even when the
    /// campaign itself never reads what it created.
    fn after_creates(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let mut out = Vec::new();
        for exchange in &run.exchanges {
            let (Some(call), Some(op)) = (
                seq.calls.get(exchange.call),
                self.model.operations.get(exchange.op),
            ) else {
                continue;
            };
            if success(exchange).is_none()
                || op.method != Method::Post
                || !protected(&self.model, op)
            {
                continue;
            }
            let a = self.roles.resolve(call);
            let Some(b) = self.roles.peer_of(a).map(str::to_owned) else {
                continue;
            };
            let a = a.to_owned();
            // The probe re-sends the create (and what it needs), then the owner's and the
            // peer's reads of what it made, by reference: a case that addresses the object by
            // the id this campaign saw would not replay on a fresh target.
            let Some(read) = read_back(&self.ctx, op, exchange.call, rng) else {
                continue;
            };
            let indices = closure(seq, exchange.call);
            let mut read = read;
            read.remap_refs(&|old| indices.iter().position(|&i| i == old));
            let Some(read_op) = self.ctx.op_index(&read.operation) else {
                continue;
            };
            let count = self.probed.entry(read_op).or_default();
            if self.concluded.contains(&read_op) || *count >= PROBES_PER_OP {
                continue;
            }
            *count += 1;
            tracing::debug!("bola: probe {count} of {} after {}", read.operation, op.id);
            let mut probe = extract(seq, &indices);
            probe.calls.push(as_identity(&read, &a));
            probe.calls.push(as_identity(&read, &b));
            if probe.references_valid() {
                out.push(probe);
            }
        }
        out
    }
}

pub struct BolaOracle {
    model: Arc<Model>,
    roles: Roles,
}

impl BolaOracle {
    pub fn new(model: Arc<Model>, roles: Roles) -> Self {
        BolaOracle { model, roles }
    }
}

impl SeqOracle for BolaOracle {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut out: Vec<SeqFinding> = Vec::new();
        for ok in successes(seq, run, &self.model) {
            let (call, op, m) = (ok.call, ok.op, ok.at);
            if op.method == Method::Post || !protected(&self.model, op) {
                continue;
            }
            let b = self.roles.resolve(call);
            // The owner's create must be in the sequence: an object created earlier in the
            // campaign and addressed by a literal id would make a case that does not replay on
            // a fresh target (its id does not exist there).
            let Some(created) = owner(seq, run, &self.model, &self.roles, ok.exchange.call) else {
                continue;
            };
            let a = created.identity.as_str();
            if !self.roles.peers(a, b) {
                continue;
            }
            let proof = if op.method == Method::Get {
                let a_sees = run.exchanges[..m].iter().find_map(|e| {
                    let c = seq.calls.get(e.call)?;
                    (same_but_identity(c, call) && self.roles.resolve(c) == a)
                        .then(|| success(e))
                        .flatten()
                });
                match a_sees {
                    Some(seen) if same_data(&seen.body, &ok.response.body) => "the data",
                    _ => continue,
                }
            } else {
                "a success"
            };
            if out.iter().any(|f| f.finding.operation == op.id) {
                continue;
            }
            let detail = format!(
                "{b} sent {} {} on an object {a} created (call {}) and got {} with {proof} {a} gets",
                op.method.as_str(),
                op.path,
                created.create + 1,
                ok.response.status,
            );
            out.push(ok.finding(FindingKind::BrokenObjectAuthorization, detail));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::testkit::*;
    use rand::SeedableRng;

    fn seq_create_read(reader: &str) -> RequestSeq {
        RequestSeq::new(vec![
            call("createOrder", Some("alice"), None),
            call("getOrder", Some("alice"), Some(0)),
            call("getOrder", Some(reader), Some(0)),
        ])
    }

    #[test]
    fn prober_resends_the_owners_read_as_a_peer() {
        let ctx = ctx();
        let model = Arc::clone(&ctx.model);
        let mut prober = BolaProber::new(Arc::clone(&ctx), roles());
        let seq = RequestSeq::new(vec![
            call("listProducts", None, None),
            call("createOrder", None, None),
            call("getOrder", None, Some(1)),
            call("deleteOrder", None, Some(1)),
        ]);
        let body = r#"{"id":4,"status":"new"}"#;
        let run = run_of(
            &model,
            &seq,
            &[(200, "[]"), (201, body), (200, body), (204, "")],
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let probes = prober.derive(&seq, &run, &mut rng);
        assert_eq!(probes.len(), 2);
        let read = &probes[0];
        assert_eq!(read.calls.len(), 3, "create, alice's read, bob's read");
        assert_eq!(read.calls[2].identity.as_deref(), Some("bob"));
        assert!(read.references_valid());
        let delete = &probes[1];
        assert_eq!(delete.calls.len(), 2, "create, bob's delete");
        assert_eq!(delete.calls[1].operation.0, "deleteOrder");
        assert!(delete.references_valid());
    }
    #[test]
    fn a_create_alone_is_probed_through_its_link() {
        let mut model = model();
        let create = model
            .operations
            .iter_mut()
            .find(|o| o.id.0 == "createOrder")
            .unwrap();
        let created = create.responses.values_mut().next().unwrap();
        created.links.push(crate::spec::Link {
            name: "GetOrder".into(),
            operation_id: Some(crate::spec::OperationId("getOrder".into())),
            parameters: [("orderId".to_owned(), "$response.body#/id".to_owned())].into(),
            request_body: None,
        });
        let ctx = Arc::new(SeqContext::new(Arc::new(model)));
        let mut prober = BolaProber::new(Arc::clone(&ctx), roles());
        let seq = RequestSeq::new(vec![call("createOrder", None, None)]);
        let run = run_of(&ctx.model, &seq, &[(201, r#"{"id":4}"#)]);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let probes = prober.derive(&seq, &run, &mut rng);
        assert_eq!(probes.len(), 1);
        let ids: Vec<Option<&str>> = probes[0]
            .calls
            .iter()
            .map(|c| c.identity.as_deref())
            .collect();
        assert_eq!(ids, vec![None, Some("alice"), Some("bob")]);
        assert_eq!(probes[0].calls[0].operation.0, "createOrder");
        assert_eq!(probes[0].calls[2].operation.0, "getOrder");
        assert!(
            matches!(
                probes[0].calls[2].param("orderId", crate::spec::ParamLocation::Path),
                Some(crate::input::Node::Ref(r)) if r.call == 0
            ),
            "the created object, by reference to the create: {:?}",
            probes[0].calls[2]
        );
        // Judged: bob gets what alice gets.
        let body = r#"{"id":4,"status":"new"}"#;
        let created = (201, r#"{"id":4}"#);
        let probe_run = run_of(&ctx.model, &probes[0], &[created, (200, body), (200, body)]);
        let oracle = BolaOracle::new(Arc::clone(&ctx.model), roles());
        assert_eq!(oracle.check(&probes[0], &probe_run).len(), 1);
        let refused = run_of(&ctx.model, &probes[0], &[created, (200, body), (404, "{}")]);
        assert!(oracle.check(&probes[0], &refused).is_empty());
    }

    #[test]
    fn a_peer_read_the_oracle_cannot_judge_does_not_end_probing() {
        let ctx = Arc::new(SeqContext::new(Arc::new(model())));
        let mut prober = BolaProber::new(Arc::clone(&ctx), roles());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        // Bob reads alice's order with no read of alice's to compare with: not judgeable.
        let unjudged = RequestSeq::new(vec![
            call("createOrder", Some("alice"), None),
            call("getOrder", Some("bob"), Some(0)),
        ]);
        let body = r#"{"id":4}"#;
        let run = run_of(&ctx.model, &unjudged, &[(201, body), (200, body)]);
        prober.derive(&unjudged, &run, &mut rng);
        let seq = RequestSeq::new(vec![
            call("createOrder", Some("alice"), None),
            call("getOrder", Some("alice"), Some(0)),
        ]);
        let run = run_of(&ctx.model, &seq, &[(201, body), (200, body)]);
        assert_eq!(prober.derive(&seq, &run, &mut rng).len(), 1, "still probed");
        // A probe that ran as planned ends it, whatever the verdict.
        let planned = seq_create_read("bob");
        let run = run_of(
            &ctx.model,
            &planned,
            &[(201, body), (200, body), (404, "{}")],
        );
        prober.derive(&planned, &run, &mut rng);
        let run = run_of(&ctx.model, &seq, &[(201, body), (200, body)]);
        assert!(prober.derive(&seq, &run, &mut rng).is_empty(), "concluded");
    }

    #[test]
    fn a_peer_reading_the_owners_data_is_reported() {
        let model = model();
        let seq = seq_create_read("bob");
        let body = r#"{"id":4,"status":"new","quantity":1}"#;
        let run = run_of(&model, &seq, &[(201, body), (200, body), (200, body)]);
        let found = BolaOracle::new(Arc::new(model), roles()).check(&seq, &run);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].at, 2);
        assert_eq!(
            found[0].finding.kind,
            FindingKind::BrokenObjectAuthorization
        );
        assert!(found[0].finding.detail.starts_with("bob sent GET"));
    }

    #[test]
    fn refusals_other_data_admins_and_own_reads_are_not_reported() {
        let model = Arc::new(model());
        let oracle = BolaOracle::new(Arc::clone(&model), roles());
        let body = r#"{"id":4,"status":"new","quantity":1}"#;
        let other = r#"{"id":5,"status":"paid","quantity":9}"#;
        for (reader, answers) in [
            ("bob", [(201, body), (200, body), (404, "{}")]),
            ("bob", [(201, body), (200, body), (200, other)]),
            ("root", [(201, body), (200, body), (200, body)]),
            ("alice", [(201, body), (200, body), (200, body)]),
        ] {
            let seq = seq_create_read(reader);
            let run = run_of(&model, &seq, &answers);
            assert!(oracle.check(&seq, &run).is_empty(), "{reader} {answers:?}");
        }
    }

    #[test]
    fn a_peer_deleting_the_owners_object_is_reported() {
        let model = Arc::new(model());
        let seq = RequestSeq::new(vec![
            call("createOrder", Some("alice"), None),
            call("deleteOrder", Some("bob"), Some(0)),
        ]);
        let run = run_of(&model, &seq, &[(201, r#"{"id":4}"#), (204, "")]);
        let oracle = BolaOracle::new(Arc::clone(&model), roles());
        assert_eq!(oracle.check(&seq, &run).len(), 1);
        let refused = run_of(&model, &seq, &[(201, r#"{"id":4}"#), (404, "{}")]);
        assert!(oracle.check(&seq, &refused).is_empty());
    }
}
