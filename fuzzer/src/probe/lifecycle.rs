//! Resource-lifecycle probes: after a run that deleted, created, updated or failed to create a
//! resource, derive the follow-up sequence that shows whether the target kept its word — the
//! same calls plus a read before and after the delete, a read of what was created, a read after
//! the update, the collection listed around the failed create. [`LifecycleOracle`] judges them
//! (and every other run).
//!
//! [`LiveFeeder`] rides on the same hook: after every run it feeds the live value pool of the
//! dependency graph (see [`crate::deps::live`]).
//!
//! [`LifecycleOracle`]: super::lifecycle_oracle::LifecycleOracle

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Prober;
use crate::campaign::runner::{Exchange, SeqRun};
use crate::deps::Slot;
use crate::deps::live::lock;
use crate::deps::names::created_resource;
use crate::input::{Call, Node, ParamValue, Reference, RequestSeq};
use crate::mutate::SeqContext;
use crate::oracle::FindingKind;
use crate::spec::{Method, ParamLocation};

/// Probes per (operation, kind): enough to get past a flaky first attempt, few enough that a long
/// campaign spends nearly all its time fuzzing.
const PER_KEY: usize = 4;

/// Derives lifecycle follow-up sequences.
pub struct LifecycleProber {
    ctx: Arc<SeqContext>,
    kinds: Vec<FindingKind>,
    probed: BTreeMap<(usize, FindingKind), usize>,
}

impl LifecycleProber {
    /// A prober for the enabled lifecycle `kinds`.
    pub fn new(ctx: Arc<SeqContext>, kinds: Vec<FindingKind>) -> Self {
        LifecycleProber {
            ctx,
            kinds,
            probed: BTreeMap::new(),
        }
    }

    /// True (and counted) when another probe of `kind` for `op` fits the budget.
    fn budget(&mut self, op: usize, kind: FindingKind) -> bool {
        if !self.kinds.contains(&kind) {
            return false;
        }
        let used = self.probed.entry((op, kind)).or_default();
        if *used >= PER_KEY {
            return false;
        }
        *used += 1;
        true
    }

    fn probe_one(&mut self, seq: &RequestSeq, run: &SeqRun, ex: &Exchange) -> Option<RequestSeq> {
        let status = ex.outcome.as_ref().ok()?.status;
        let op = &self.ctx.model.operations[ex.op];
        let ok = (200..300).contains(&status);
        match op.method {
            Method::Delete if matches!(status, 200 | 204) && !read_follows(run, ex) => {
                let read = self.read_same_path(seq, ex)?;
                self.budget(ex.op, FindingKind::UseAfterDelete).then(|| {
                    let mut probe = prefix(seq, ex.call);
                    probe.insert_call(ex.call, read.clone());
                    probe.calls.push(read);
                    probe
                })
            }
            Method::Put | Method::Patch if ok && !read_follows(run, ex) => {
                let read = self.read_same_path(seq, ex)?;
                self.budget(ex.op, FindingKind::UpdateNotReadBack).then(|| {
                    let mut probe = prefix(seq, ex.call);
                    probe.calls.push(read);
                    probe
                })
            }
            Method::Post | Method::Put if status == 201 => {
                let read = self.read_created(seq, ex)?;
                self.budget(ex.op, FindingKind::CreateNotReadable).then(|| {
                    let mut probe = prefix(seq, ex.call);
                    probe.calls.push(read);
                    probe
                })
            }
            Method::Post if failed_create(status) => {
                let list = self.list_of(seq, ex)?;
                self.budget(ex.op, FindingKind::LeakAfterFailedCreate)
                    .then(|| {
                        let mut probe = prefix(seq, ex.call);
                        probe.insert_call(ex.call, list.clone());
                        probe.calls.push(list);
                        probe
                    })
            }
            _ => None,
        }
    }

    /// A GET of the same path template as the exchange's call, with its path parameters.
    fn read_same_path(&self, seq: &RequestSeq, ex: &Exchange) -> Option<Call> {
        let model = &self.ctx.model;
        let path = &model.operations[ex.op].path;
        let read = model
            .operations
            .iter()
            .position(|o| o.method == Method::Get && &o.path == path)?;
        self.read_call(read, &seq.calls[ex.call], &[])
    }

    /// A GET that reads the resource a create made, its id taken from the create's response.
    fn read_created(&self, seq: &RequestSeq, ex: &Exchange) -> Option<Call> {
        let model = &self.ctx.model;
        let created = created_resource(&model.operations[ex.op])?;
        let edge = self.ctx.producers.graph().out_of(ex.op).find(|e| {
            let consumer = &model.operations[e.consumer];
            consumer.method == Method::Get
                && e.resource.as_deref() == Some(created.as_str())
                && matches!(&e.slot, Slot::Param { name, .. }
                    if crate::deps::names::path_params(&consumer.path).last() == Some(&name.as_str()))
        })?;
        let Slot::Param { name, .. } = &edge.slot else {
            return None;
        };
        let reference = Node::Ref(Reference {
            call: ex.call,
            source: edge.source.clone(),
        });
        self.read_call(
            edge.consumer,
            &seq.calls[ex.call],
            &[(name.as_str(), reference)],
        )
    }

    /// A GET of the collection a failed create posted to, when the spec has one.
    fn list_of(&self, seq: &RequestSeq, ex: &Exchange) -> Option<Call> {
        let model = &self.ctx.model;
        let path = &model.operations[ex.op].path;
        let list = model
            .operations
            .iter()
            .position(|o| o.method == Method::Get && &o.path == path)?;
        self.read_call(list, &seq.calls[ex.call], &[])
    }

    /// A call of read operation `read` as `source`'s identity: path parameters from `given`, else
    /// copied from `source`; other required parameters generated valid; optional ones left out.
    fn read_call(&self, read: usize, source: &Call, given: &[(&str, Node)]) -> Option<Call> {
        let op = &self.ctx.model.operations[read];
        let mut call = Call::new(op.id.clone());
        call.identity = source.identity.clone();
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(read as u64);
        for param in &op.parameters {
            let value = if param.location == ParamLocation::Path {
                let given = given
                    .iter()
                    .find(|(n, _)| *n == param.name)
                    .map(|(_, v)| v.clone());
                given.or_else(|| source.param(&param.name, ParamLocation::Path).cloned())?
            } else if param.required {
                self.ctx
                    .value(&param.schema, crate::generate::Mode::Valid, &mut rng)
            } else {
                continue;
            };
            call.params.push(ParamValue {
                name: param.name.clone(),
                location: param.location,
                value: Some(value),
            });
        }
        Some(call)
    }
}

impl Prober for LifecycleProber {
    fn name(&self) -> &'static str {
        "lifecycle"
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        _rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        run.exchanges
            .iter()
            .filter_map(|ex| self.probe_one(seq, run, ex))
            .collect()
    }
}

/// Feeds the live value pool of the dependency graph after every run.
pub struct LiveFeeder {
    ctx: Arc<SeqContext>,
}

impl LiveFeeder {
    /// A feeder for `ctx`'s live state; calls may also run as the `identities` besides the
    /// default one (an operation the default identity is refused is tried as them).
    pub fn new(ctx: Arc<SeqContext>, identities: Vec<String>) -> Self {
        lock(ctx.producers.live()).set_identities(identities);
        LiveFeeder { ctx }
    }
}

impl Prober for LiveFeeder {
    fn name(&self) -> &'static str {
        "live-values"
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        _rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let producers = &self.ctx.producers;
        lock(producers.live()).observe(&self.ctx.model, producers.graph(), seq, run);
        Vec::new()
    }
}

/// The calls of `seq` up to and including `call`.
fn prefix(seq: &RequestSeq, call: usize) -> RequestSeq {
    RequestSeq::new(seq.calls[..=call.min(seq.calls.len() - 1)].to_vec())
}

/// True when a later exchange of the run already reads the same concrete path.
fn read_follows(run: &SeqRun, ex: &Exchange) -> bool {
    let path = path_only(&ex.request.path_and_query);
    run.exchanges.iter().any(|later| {
        later.call > ex.call
            && later.request.method == "GET"
            && path_only(&later.request.path_and_query) == path
    })
}

/// A create refused for its content or the target's state (not for credentials or routing).
pub fn failed_create(status: u16) -> bool {
    matches!(status, 400 | 409 | 422) || status >= 500
}

/// The path of a request target, without query or fragment.
pub fn path_only(path_and_query: &str) -> &str {
    let end = path_and_query
        .find(['?', '#'])
        .unwrap_or(path_and_query.len());
    &path_and_query[..end]
}
