//! The injection check's prober: derives the sequences [`super::injection::InjectionOracle`]
//! judges. For each (operation, string parameter or body field), once:
//!
//! - an error probe: the benign [`BASE`], then `BASE'` twice;
//! - a boolean probe: `BASE`, then the true and the false payload, twice each;
//! - a time probe per SQL dialect: `BASE`, then the sleep payload twice;
//!
//! and, when a response of the campaign already carries an error family, the same call with a
//! benign value, then with the attack value it carried, twice. Calls that refer to earlier
//! responses keep the calls before them as a prefix.

use std::collections::HashSet;
use std::sync::Arc;

use super::injection::{
    BASE, FALSE_SUFFIX, QUOTE, SLEEPS, TRUE_SUFFIX, benign_of, family_without, has_metachar,
};
use super::injection_leaf::{LeafPath, string_leaves, with_leaf};
use crate::campaign::runner::SeqRun;
use crate::http::HttpResponse;
use crate::input::{Call, Node, ParamValue, RequestSeq};
use crate::oracle::families::classify_status;
use crate::probe::Prober;
use crate::spec::{Model, Operation, OperationId};

/// At most this many (operation, value) pairs are probed in a campaign.
const MAX_LEAVES: usize = 256;
/// At most this many values of one call are probed per run (the rest on later runs).
const LEAVES_PER_RUN: usize = 4;
/// At most this many probes are derived from one run (the campaign's probe queue is shared and
/// bounded; values not probed yet are taken up on later runs).
const PROBES_PER_RUN: usize = 20;
/// At most this many attack values of one answer with an error family are confirmed.
const CONFIRM_PER_CALL: usize = 8;
/// The most calls a probe appends after its prefix.
const PROBE_CALLS: usize = 5;

/// Derives injection probes (see the module docs).
pub struct InjectionProber {
    model: Arc<Model>,
    /// The longest sequence the runner sends (`--max-calls`).
    max_calls: usize,
    probed: HashSet<(OperationId, LeafPath)>,
    confirmed: HashSet<(OperationId, LeafPath)>,
}

impl InjectionProber {
    pub fn new(model: Arc<Model>, max_calls: usize) -> Self {
        InjectionProber {
            model,
            max_calls,
            probed: HashSet::new(),
            confirmed: HashSet::new(),
        }
    }
}

/// True when a parameter schema admits a string.
pub fn admits_string(schema: &serde_json::Value) -> bool {
    match schema.get("type") {
        None => schema.get("enum").is_none() && schema.get("const").is_none(),
        Some(serde_json::Value::String(t)) => t == "string",
        Some(serde_json::Value::Array(types)) => types.iter().any(|t| t == "string"),
        Some(_) => false,
    }
}

/// The call's string values worth probing, as leaf paths: every string of a declared parameter
/// or of the body, then every declared parameter that admits a string and that the call left out.
fn candidates(op: &Operation, call: &Call) -> Vec<LeafPath> {
    let declared = |name: &str, location| {
        op.parameters
            .iter()
            .any(|p| p.name == name && p.location == location)
    };
    let mut out: Vec<LeafPath> = string_leaves(call)
        .into_iter()
        .map(|(leaf, _)| leaf)
        .filter(|leaf| match &leaf.param {
            Some((name, location)) => declared(name, *location),
            None => true,
        })
        .collect();
    out.extend(
        op.parameters
            .iter()
            .filter(|p| admits_string(&p.schema) && call.param(&p.name, p.location).is_none())
            .map(|p| LeafPath {
                param: Some((p.name.clone(), p.location)),
                pointer: String::new(),
            }),
    );
    out
}

/// `call` holding [`BASE`] at `leaf` (setting a parameter the call left out).
fn anchored(call: &Call, leaf: &LeafPath) -> Option<Call> {
    if let Some(with) = with_leaf(call, leaf, BASE) {
        return Some(with);
    }
    let (name, location) = leaf.param.as_ref()?;
    let mut with = call.clone();
    with.params
        .retain(|p| !(p.name == *name && p.location == *location));
    with.params.push(ParamValue {
        name: name.clone(),
        location: *location,
        value: Some(Node::string(BASE)),
    });
    Some(with)
}

/// `prefix`, then `anchor`, then `anchor` with each of `values` at `leaf`.
fn probe(prefix: &[Call], anchor: &Call, leaf: &LeafPath, values: &[String]) -> RequestSeq {
    let mut calls = prefix.to_vec();
    calls.push(anchor.clone());
    calls.extend(values.iter().filter_map(|v| with_leaf(anchor, leaf, v)));
    RequestSeq::new(calls)
}

/// The proactive probes of one value: error, boolean, and one time probe per dialect.
fn proactive(prefix: &[Call], anchor: &Call, leaf: &LeafPath) -> Vec<RequestSeq> {
    let quote = format!("{BASE}{QUOTE}");
    let t = format!("{BASE}{TRUE_SUFFIX}");
    let f = format!("{BASE}{FALSE_SUFFIX}");
    let mut out = vec![
        probe(prefix, anchor, leaf, &[quote.clone(), quote]),
        probe(prefix, anchor, leaf, &[t.clone(), f.clone(), t, f]),
    ];
    for (_, suffix) in SLEEPS {
        let s = format!("{BASE}{suffix}");
        out.push(probe(prefix, anchor, leaf, &[s.clone(), s]));
    }
    out
}

impl InjectionProber {
    /// An error family already in the answer to `call`: the call with a benign value, then twice
    /// with the attack value it carried (for each such value not confirmed yet).
    fn confirm(
        &mut self,
        prefix: &[Call],
        call: &Call,
        response: &HttpResponse,
        out: &mut Vec<RequestSeq>,
    ) {
        let (body, status) = (&response.body[..], response.status);
        if classify_status(body, status).is_none() {
            return;
        }
        let attacks = string_leaves(call)
            .into_iter()
            .filter(|(_, value)| has_metachar(value))
            .take(CONFIRM_PER_CALL);
        for (leaf, value) in attacks {
            if self.confirmed.len() >= MAX_LEAVES
                || family_without(body, status, value).is_none()
                || !self
                    .confirmed
                    .insert((call.operation.clone(), leaf.clone()))
            {
                continue;
            }
            if let Some(anchor) = with_leaf(call, &leaf, &benign_of(value)) {
                let attack = value.to_owned();
                out.push(probe(prefix, &anchor, &leaf, &[attack.clone(), attack]));
            }
        }
    }

    /// The proactive probes of up to [`LEAVES_PER_RUN`] values of `call` not probed yet.
    fn explore(&mut self, prefix: &[Call], op: &Operation, call: &Call, out: &mut Vec<RequestSeq>) {
        let mut fresh = 0;
        for leaf in candidates(op, call) {
            if fresh >= LEAVES_PER_RUN
                || out.len() >= PROBES_PER_RUN
                || self.probed.len() >= MAX_LEAVES
            {
                break;
            }
            if !self.probed.insert((call.operation.clone(), leaf.clone())) {
                continue;
            }
            if let Some(anchor) = anchored(call, &leaf) {
                fresh += 1;
                out.extend(proactive(prefix, &anchor, &leaf));
            }
        }
    }
}

impl Prober for InjectionProber {
    fn name(&self) -> &'static str {
        "injection"
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        _rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let mut out = Vec::new();
        let model = Arc::clone(&self.model);
        for exchange in &run.exchanges {
            if out.len() >= PROBES_PER_RUN {
                break;
            }
            let (Ok(response), Some(call), Some(op)) = (
                &exchange.outcome,
                seq.calls.get(exchange.call),
                model.operations.get(exchange.op),
            ) else {
                continue;
            };
            if matches!(response.status, 401 | 403) {
                continue;
            }
            // A call that refers to earlier answers needs the calls before it.
            let has_refs = call.nodes().any(|n| !n.refs().is_empty());
            let prefix: &[Call] = if has_refs {
                &seq.calls[..exchange.call]
            } else {
                &[]
            };
            if prefix.len() + 1 + PROBE_CALLS > self.max_calls {
                continue;
            }
            self.confirm(prefix, call, response, &mut out);
            self.explore(prefix, op, call, &mut out);
        }
        out
    }
}
