//! What the campaign learns at run time about the target's state: a pool of live values per
//! resource (ids, tokens) read from successful responses, which operations ever succeeded, and
//! observed edges (a value one response returned that another operation then accepted).
//!
//! Fed after every execution (see [`LiveFeeder`](crate::probe::lifecycle::LiveFeeder)) in
//! execution order, so the same seed against the same target state gives the same pool. A
//! successful `DELETE` takes its value out of the pool again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::names::{param_resource, path_params};
use super::{DepGraph, Via};
use crate::campaign::runner::SeqRun;
use crate::input::resolve::resolve_ref;
use crate::input::{Node, RefSource, Reference, RequestSeq};
use crate::spec::{Method, Model};

/// Values kept per resource: the first ones seen and the most recent ones.
const POOL_SIZE: usize = 16;
/// Observed edges kept in all (each is a distinct operation pair and pointer).
const MAX_OBSERVED: usize = 512;

/// The live state shared by the feeder (after each run) and the generators (before).
pub type SharedLive = Arc<Mutex<LiveState>>;

/// Locks the shared state; a panic elsewhere while holding it leaves plain data behind.
pub fn lock(live: &SharedLive) -> MutexGuard<'_, LiveState> {
    live.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An edge seen at run time: `producer`'s response value at `pointer` was accepted by
/// `consumer` as path parameter `param`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Observed {
    pub producer: usize,
    pub pointer: String,
    pub consumer: usize,
    pub param: String,
}

#[derive(Debug, Default)]
pub struct LiveState {
    pool: BTreeMap<String, Vec<Node>>,
    /// 2xx responses per operation index.
    successes: BTreeMap<usize, u64>,
    observed: BTreeSet<Observed>,
    /// The non-default identities calls may run as (from the auth file).
    identities: Vec<String>,
    /// Per (operation, identity; `None` = the default): (2xx answers, 401/403 answers).
    access: BTreeMap<(usize, Option<String>), (u64, u64)>,
}

/// Refusals of the default identity after which an operation is tried as other identities.
const REFUSALS_BEFORE_SWITCH: u64 = 3;

impl LiveState {
    pub fn shared() -> SharedLive {
        Arc::new(Mutex::new(LiveState::default()))
    }

    /// The identities besides the default one that calls may run as.
    pub fn set_identities(&mut self, names: Vec<String>) {
        self.identities = names;
    }

    /// The identity a new call of `op` should run as: the default (`None`) until it has been
    /// refused (401/403) a few times without ever succeeding; then one that has succeeded on
    /// `op`, else one not yet refused there, else any. Deterministic given `rng`.
    pub fn identity_for<R: rand::Rng + ?Sized>(&self, op: usize, rng: &mut R) -> Option<String> {
        let (ok, refused) = self.access.get(&(op, None)).copied().unwrap_or_default();
        if self.identities.is_empty() || ok > 0 || refused < REFUSALS_BEFORE_SWITCH {
            return None;
        }
        let stats = |name: &String| {
            self.access
                .get(&(op, Some(name.clone())))
                .copied()
                .unwrap_or_default()
        };
        let worked: Vec<&String> = self.identities.iter().filter(|n| stats(n).0 > 0).collect();
        let untried: Vec<&String> = self
            .identities
            .iter()
            .filter(|n| stats(n).1 < REFUSALS_BEFORE_SWITCH)
            .collect();
        let pool = if !worked.is_empty() && rng.random_bool(0.9) {
            worked
        } else if !untried.is_empty() {
            untried
        } else {
            self.identities.iter().collect()
        };
        Some(pool[rng.random_range(0..pool.len())].clone())
    }

    /// Live values of a resource, oldest first.
    pub fn values(&self, resource: &str) -> &[Node] {
        self.pool.get(resource).map_or(&[], Vec::as_slice)
    }

    /// True once a run has been observed: without a feeder (a one-off generation outside a
    /// campaign) nothing is known, and generation does not guess.
    pub fn fed(&self) -> bool {
        !self.access.is_empty()
    }

    /// True when operation `op` ever answered 2xx.
    pub fn succeeded(&self, op: usize) -> bool {
        self.successes.get(&op).is_some_and(|n| *n > 0)
    }

    /// Edges learnt at run time, in a stable order.
    pub fn observed(&self) -> impl Iterator<Item = &Observed> {
        self.observed.iter()
    }

    /// Learns from one run: successes, values the graph's edges read, deletions, observed edges.
    pub fn observe(&mut self, model: &Model, graph: &DepGraph, seq: &RequestSeq, run: &SeqRun) {
        let responses = responses_by_call(run);
        let ops = ops_by_call(run);
        let bodies: Vec<Option<serde_json::Value>> = responses
            .iter()
            .map(|r| {
                r.as_ref()
                    .filter(|r| (200..300).contains(&r.status))
                    .and_then(|r| r.json())
            })
            .collect();
        for ex in &run.exchanges {
            let Ok(response) = &ex.outcome else { continue };
            let identity = seq.calls.get(ex.call).and_then(|c| c.identity.clone());
            let access = self.access.entry((ex.op, identity)).or_default();
            match response.status {
                200..=299 => access.0 += 1,
                401 | 403 => access.1 += 1,
                _ => {}
            }
            if !(200..300).contains(&response.status) {
                continue;
            }
            *self.successes.entry(ex.op).or_default() += 1;
            let op = &model.operations[ex.op];
            let concrete = path_values(&op.path, &ex.request.path_and_query);
            if op.method == Method::Delete {
                for (name, value) in &concrete {
                    if let Some(resource) = param_resource(op, name) {
                        self.forget(&resource, value);
                    }
                }
            } else {
                let before = ex.call.min(bodies.len());
                self.learn_edges(ex.op, &concrete, &bodies[..before], &ops);
            }
            for edge in graph.out_of(ex.op).filter(|e| e.via <= Via::List) {
                let Some(resource) = &edge.resource else {
                    continue;
                };
                let value = match &edge.source {
                    RefSource::Body(ptr) => bodies
                        .get(ex.call)
                        .and_then(Option::as_ref)
                        .and_then(|b| b.pointer(ptr))
                        .map(Node::from),
                    other => {
                        let reference = Reference {
                            call: ex.call,
                            source: other.clone(),
                        };
                        resolve_ref(&reference, &responses)
                    }
                };
                if let Some(value @ (Node::String(_) | Node::Number(_))) = value {
                    self.remember(resource, value);
                }
            }
        }
    }

    fn remember(&mut self, resource: &str, value: Node) {
        let values = self.pool.entry(resource.to_owned()).or_default();
        values.retain(|v| v != &value);
        values.push(value);
        // The first half stays (often values that existed before the campaign: seeded data a
        // list returned); the second half rotates.
        if values.len() > POOL_SIZE {
            values.remove(POOL_SIZE / 2);
        }
    }

    fn forget(&mut self, resource: &str, value: &str) {
        if let Some(values) = self.pool.get_mut(resource) {
            values.retain(|v| scalar_text(v).as_deref() != Some(value));
        }
    }

    /// A path value this call sent that an earlier response of the run held in an id-like field.
    fn learn_edges(
        &mut self,
        consumer: usize,
        concrete: &[(String, String)],
        earlier: &[Option<serde_json::Value>],
        ops: &[Option<usize>],
    ) {
        for (param, value) in concrete {
            for (producer_call, json) in earlier.iter().enumerate() {
                let Some(json) = json else {
                    continue;
                };
                let Some(pointer) = find_id_leaf(json, value, String::new(), 0) else {
                    continue;
                };
                let Some(producer) = ops.get(producer_call).copied().flatten() else {
                    continue;
                };
                if producer != consumer && self.observed.len() < MAX_OBSERVED {
                    self.observed.insert(Observed {
                        producer,
                        pointer,
                        consumer,
                        param: param.clone(),
                    });
                }
            }
        }
    }
}

/// The responses of a run indexed by call (a call that was not sent or failed is `None`).
fn responses_by_call(run: &SeqRun) -> Vec<Option<crate::http::HttpResponse>> {
    let len = run.exchanges.iter().map(|e| e.call + 1).max().unwrap_or(0);
    let mut out = vec![None; len];
    for ex in &run.exchanges {
        out[ex.call] = ex.outcome.as_ref().ok().cloned();
    }
    out
}

/// The operation of each call of a run (`None` for a call that was not sent).
fn ops_by_call(run: &SeqRun) -> Vec<Option<usize>> {
    let len = run.exchanges.iter().map(|e| e.call + 1).max().unwrap_or(0);
    let mut out = vec![None; len];
    for ex in &run.exchanges {
        out[ex.call] = Some(ex.op);
    }
    out
}

/// The text of a string or number node.
pub fn scalar_text(node: &Node) -> Option<String> {
    match node {
        Node::String(s) => Some(s.clone()),
        Node::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `(param, value)` for each `{param}` of `template`, read from the concrete request path (the
/// last segments, so a base path in front does not matter; query and fragment ignored).
pub fn path_values(template: &str, path_and_query: &str) -> Vec<(String, String)> {
    let end = path_and_query
        .find(['?', '#'])
        .unwrap_or(path_and_query.len());
    let concrete: Vec<&str> = path_and_query[..end]
        .trim_end_matches('/')
        .split('/')
        .collect();
    let pattern: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    if concrete.len() < pattern.len() {
        return Vec::new();
    }
    let offset = concrete.len() - pattern.len();
    let wanted = path_params(template);
    pattern
        .iter()
        .zip(&concrete[offset..])
        .filter_map(|(p, c)| {
            let name = p.strip_prefix('{')?.strip_suffix('}')?;
            wanted
                .contains(&name)
                .then(|| (name.to_owned(), percent_decode(c)))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pointer of an id-like member (`id`, `*_id`, `*Id`) whose value prints as `value`.
fn find_id_leaf(json: &serde_json::Value, value: &str, at: String, depth: usize) -> Option<String> {
    use serde_json::Value;
    if depth > 3 {
        return None;
    }
    match json {
        Value::Object(members) => members.iter().find_map(|(k, v)| {
            let here = format!("{at}{}", crate::mutate::producers::pointer(k));
            let id_like = super::names::squash(k).ends_with("id");
            let hit = match v {
                Value::String(s) => s == value,
                Value::Number(n) => n.to_string() == value,
                _ => false,
            };
            if id_like && hit {
                Some(here)
            } else {
                find_id_leaf(v, value, here, depth + 1)
            }
        }),
        Value::Array(items) => items
            .first()
            .and_then(|v| find_id_leaf(v, value, format!("{at}/0"), depth + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn path_values_read_the_template_from_the_end() {
        assert_eq!(
            path_values(
                "/orders/{orderId}/items/{n}",
                "/api/orders/42/items/a%20b?x=1"
            ),
            vec![
                ("orderId".to_owned(), "42".to_owned()),
                ("n".to_owned(), "a b".to_owned())
            ]
        );
        assert!(path_values("/a/{b}/c", "/x").is_empty());
    }

    #[test]
    fn pool_keeps_first_values_and_forgets_deleted_ones() {
        let mut live = LiveState::default();
        for i in 0..40 {
            live.remember("order", Node::number(i));
        }
        let values = live.values("order");
        assert_eq!(values.len(), POOL_SIZE);
        assert_eq!(values[0], Node::number(0));
        assert_eq!(values.last(), Some(&Node::number(39)));
        live.forget("order", "0");
        assert!(!live.values("order").contains(&Node::number(0)));
        assert!(live.values("user").is_empty());
    }

    #[test]
    fn refused_operations_switch_identity() {
        let mut live = LiveState::default();
        live.set_identities(vec!["admin".into(), "bob".into()]);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        assert_eq!(live.identity_for(0, &mut rng), None);
        live.access.insert((0, None), (0, REFUSALS_BEFORE_SWITCH));
        assert!(live.identity_for(0, &mut rng).is_some());
        live.access.insert((0, Some("admin".into())), (2, 0));
        let picks: Vec<Option<String>> = (0..50).map(|_| live.identity_for(0, &mut rng)).collect();
        let admin = picks
            .iter()
            .filter(|p| p.as_deref() == Some("admin"))
            .count();
        assert!(admin > 35, "{admin}");
        // Once the default identity succeeds, calls stay with it.
        live.access.insert((0, None), (1, REFUSALS_BEFORE_SWITCH));
        assert_eq!(live.identity_for(0, &mut rng), None);
    }
}
