//! [`LifecycleOracle`]: judges a whole run for broken resource lifecycles.
//!
//! - **use-after-delete**: a read of path X answered 2xx before a successful `DELETE X`, and the
//!   same read after it answers 2xx with the very same body. A read that changed (a cancelled
//!   order that stays readable with `status: cancelled`) is a soft delete, not a finding; 404/410
//!   after the delete is what should happen.
//! - **create-not-readable**: a 201 whose resource, read through the id the create returned (an
//!   edge of the dependency graph to a read of the same resource), answers 404/410. Not judged
//!   when an anonymous create (a sign-up) is read by a protected operation: the reader need not
//!   own what was created.
//! - **update-not-read-back**: a 2xx `PUT`/`PATCH` of X followed by a 2xx read of X that shows
//!   another value for a field the update sent. Server-managed fields are left alone: fields the
//!   read schema marks `readOnly`, fields the request schema does not declare, and fields whose
//!   value the update's own response already changed (normalised or ignored by the server).
//! - **leak-after-failed-create**: the collection, listed right before and right after a create
//!   that failed (400/409/422/5xx), holds a new item that carries the rejected body's values.
//!
//! Every judgement needs the two exchanges to be of the same concrete path, made as the same
//! identity, with no other successful write in between; reads compared with each other must be
//! the same request (query included), and a read-back must have no query.

use std::sync::Arc;

use serde_json::Value;

use super::lifecycle::{failed_create, path_only};
use super::lifecycle_values::{carries, declares, find_property, items, same_value};
use super::{SeqFinding, SeqOracle};
use crate::campaign::runner::{Exchange, SeqRun};
use crate::deps::names::created_resource;
use crate::deps::{DepGraph, Slot};
use crate::http::HttpResponse;
use crate::input::{Node, RequestSeq};
use crate::oracle::errsig::fnv1a;
use crate::oracle::{Finding, FindingKind};
use crate::spec::{Method, Model};

/// Judges lifecycle kinds over whole runs.
pub struct LifecycleOracle {
    model: Arc<Model>,
    graph: DepGraph,
    kinds: Vec<FindingKind>,
}

impl LifecycleOracle {
    pub fn new(model: Arc<Model>, graph: DepGraph, kinds: Vec<FindingKind>) -> Self {
        LifecycleOracle {
            model,
            graph,
            kinds,
        }
    }

    fn method(&self, ex: &Exchange) -> Method {
        self.model.operations[ex.op].method
    }

    fn template(&self, ex: &Exchange) -> &str {
        &self.model.operations[ex.op].path
    }

    fn finding(&self, kind: FindingKind, ex: &Exchange, other: usize, detail: String) -> Finding {
        let status = ex.outcome.as_ref().ok().map(|r| r.status);
        let key = fnv1a(self.model.operations[other].id.as_str().as_bytes());
        Finding::new(kind, &self.model.operations[ex.op].id, status, key, detail)
    }

    /// True when some exchange strictly between `a` and `b` (indices in the run) is a successful
    /// write other than `except`.
    fn write_between(&self, run: &SeqRun, a: usize, b: usize, except: Option<usize>) -> bool {
        (a + 1..b).any(|k| {
            Some(k) != except
                && !matches!(
                    self.method(&run.exchanges[k]),
                    Method::Get | Method::Head | Method::Options
                )
                && status(&run.exchanges[k]).is_some_and(|s| (200..300).contains(&s))
        })
    }

    fn use_after_delete(&self, seq: &RequestSeq, run: &SeqRun, out: &mut Vec<SeqFinding>) {
        for (a, after) in run.exchanges.iter().enumerate() {
            if self.method(after) != Method::Get || !ok(after) {
                continue;
            }
            let Some(d) = (0..a).rev().find(|&d| {
                let del = &run.exchanges[d];
                self.method(del) == Method::Delete
                    && matches!(status(del), Some(200 | 204))
                    && same_target(seq, del, after)
                    && self.template(del) == self.template(after)
            }) else {
                continue;
            };
            let before = (0..d).rev().find(|&b| {
                let ex = &run.exchanges[b];
                ex.op == after.op
                    && ok(ex)
                    && same_target(seq, ex, after)
                    && ex.request.path_and_query == after.request.path_and_query
            });
            let Some(b) = before else { continue };
            if self.write_between(run, b, a, Some(d))
                || json(&run.exchanges[b]) != json(after)
                || json(after).is_none()
            {
                continue;
            }
            let detail = format!(
                "GET {} still answers {} with the same content after DELETE answered {}",
                path_only(&after.request.path_and_query),
                status(after).unwrap_or(0),
                status(&run.exchanges[d]).unwrap_or(0)
            );
            let finding = self.finding(
                FindingKind::UseAfterDelete,
                after,
                run.exchanges[d].op,
                detail,
            );
            out.push(SeqFinding { finding, at: a });
        }
    }

    fn create_not_readable(&self, seq: &RequestSeq, run: &SeqRun, out: &mut Vec<SeqFinding>) {
        for (r, read) in run.exchanges.iter().enumerate() {
            if self.method(read) != Method::Get || !matches!(status(read), Some(404 | 410)) {
                continue;
            }
            let call = &seq.calls[read.call];
            for (c, create) in run.exchanges[..r].iter().enumerate() {
                if status(create) != Some(201) || call.identity != seq.calls[create.call].identity {
                    continue;
                }
                let Some(resource) = created_resource(&self.model.operations[create.op]) else {
                    continue;
                };
                // An anonymous create (a sign-up) makes something the reading identity need not
                // own: a 404 from a protected read may be authorization, not a lost resource.
                if !self.model.operations[create.op].requires_auth()
                    && self.model.operations[read.op].requires_auth()
                {
                    continue;
                }
                let reads_it = self.graph.out_of(create.op).any(|e| {
                    e.consumer == read.op
                        && e.resource.as_deref() == Some(resource.as_str())
                        && matches!(&e.slot, Slot::Param { name, location }
                            if refers(call.param(name, *location), create.call, &e.source)
                                && resolvable(create, &e.source))
                });
                let deleted = (c + 1..r).any(|k| {
                    let ex = &run.exchanges[k];
                    self.method(ex) == Method::Delete && ok(ex)
                });
                if reads_it && !deleted {
                    let detail = format!(
                        "{} answered 201, but reading what it created ({}) answers {}",
                        self.model.operations[create.op].id,
                        path_only(&read.request.path_and_query),
                        status(read).unwrap_or(0)
                    );
                    let finding =
                        self.finding(FindingKind::CreateNotReadable, create, read.op, detail);
                    out.push(SeqFinding { finding, at: r });
                    break;
                }
            }
        }
    }

    fn update_not_read_back(&self, seq: &RequestSeq, run: &SeqRun, out: &mut Vec<SeqFinding>) {
        for (r, read) in run.exchanges.iter().enumerate() {
            // A read with a query (a currency, a field selection) may legitimately show
            // values other than those stored.
            if self.method(read) != Method::Get
                || !ok(read)
                || read.request.path_and_query.contains('?')
            {
                continue;
            }
            let Some(u) = (0..r).rev().find(|&u| {
                let ex = &run.exchanges[u];
                matches!(self.method(ex), Method::Put | Method::Patch)
                    && ok(ex)
                    && same_target(seq, ex, read)
                    && self.template(ex) == self.template(read)
            }) else {
                continue;
            };
            let update = &run.exchanges[u];
            if self.write_between(run, u, r, None) {
                continue;
            }
            if let Some(field) = self.unread_field(update, read) {
                let detail = format!(
                    "{} {} set `{field}` and answered {}, but GET shows another value",
                    update.request.method,
                    path_only(&update.request.path_and_query),
                    status(update).unwrap_or(0)
                );
                let finding = self.finding(FindingKind::UpdateNotReadBack, update, read.op, detail);
                out.push(SeqFinding { finding, at: r });
            }
        }
    }

    /// The first field the update sent that the read shows with another value.
    fn unread_field(&self, update: &Exchange, read: &Exchange) -> Option<String> {
        let sent: Value = serde_json::from_slice(&update.request.body).ok()?;
        let shown = json(read)?;
        let echoed = json(update);
        let request_schema = self.model.operations[update.op]
            .request_body
            .as_ref()
            .and_then(|b| b.content.first())
            .map(|m| &m.schema);
        let declared = |f: &str| request_schema.is_some_and(|s| declares(&self.model, s, f));
        let read_only = |f: &str| {
            self.model.operations[read.op]
                .response_for(status(read).unwrap_or(200))
                .and_then(|r| r.content.first())
                .is_some_and(|m| {
                    find_property(&self.model, &m.schema, f, 0)
                        .is_some_and(|p| p.get("readOnly") == Some(&Value::Bool(true)))
                })
        };
        sent.as_object()?.iter().find_map(|(field, value)| {
            let scalar = matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_));
            if !scalar || !declared(field) || read_only(field) {
                return None;
            }
            if let Some(echo) = echoed.as_ref().and_then(|e| e.get(field))
                && !same_value(echo, value)
            {
                return None;
            }
            let now = shown.get(field)?;
            (!same_value(now, value)).then(|| field.clone())
        })
    }

    fn leak_after_failed_create(&self, seq: &RequestSeq, run: &SeqRun, out: &mut Vec<SeqFinding>) {
        for (k, window) in run.exchanges.windows(3).enumerate() {
            let [before, create, after] = window else {
                continue;
            };
            let lists = |ex: &Exchange| {
                self.method(ex) == Method::Get
                    && ok(ex)
                    && self.template(ex) == self.template(create)
            };
            let failed =
                self.method(create) == Method::Post && status(create).is_some_and(failed_create);
            if !failed || !lists(before) || !lists(after) {
                continue;
            }
            let same_identity = [before, after]
                .iter()
                .all(|ex| seq.calls[ex.call].identity == seq.calls[create.call].identity);
            let Ok(sent) = serde_json::from_slice::<Value>(&create.request.body) else {
                continue;
            };
            let (Some(old), Some(new)) = (json(before), json(after)) else {
                continue;
            };
            let old_items = items(&old);
            let leaked = items(&new)
                .into_iter()
                .filter(|item| !old_items.contains(item))
                .any(|item| carries(&item, &sent));
            // The same listing both times (a page or filter that differs shows other items).
            let same_query = before.request.path_and_query == after.request.path_and_query;
            if same_identity && same_query && leaked {
                let detail = format!(
                    "POST {} answered {}, yet the collection lists a new item with the rejected values",
                    path_only(&create.request.path_and_query),
                    status(create).unwrap_or(0)
                );
                let finding =
                    self.finding(FindingKind::LeakAfterFailedCreate, create, after.op, detail);
                out.push(SeqFinding { finding, at: k + 2 });
            }
        }
    }
}

impl SeqOracle for LifecycleOracle {
    fn name(&self) -> &'static str {
        "lifecycle"
    }

    fn check(&self, seq: &RequestSeq, run: &SeqRun) -> Vec<SeqFinding> {
        let mut out = Vec::new();
        let on = |k: FindingKind| self.kinds.contains(&k);
        if on(FindingKind::UseAfterDelete) {
            self.use_after_delete(seq, run, &mut out);
        }
        if on(FindingKind::CreateNotReadable) {
            self.create_not_readable(seq, run, &mut out);
        }
        if on(FindingKind::UpdateNotReadBack) {
            self.update_not_read_back(seq, run, &mut out);
        }
        if on(FindingKind::LeakAfterFailedCreate) {
            self.leak_after_failed_create(seq, run, &mut out);
        }
        out
    }
}

fn status(ex: &Exchange) -> Option<u16> {
    ex.outcome.as_ref().ok().map(|r| r.status)
}

fn ok(ex: &Exchange) -> bool {
    status(ex).is_some_and(|s| (200..300).contains(&s))
}

fn json(ex: &Exchange) -> Option<Value> {
    ex.outcome.as_ref().ok().and_then(HttpResponse::json)
}

/// Same concrete path, same identity.
fn same_target(seq: &RequestSeq, a: &Exchange, b: &Exchange) -> bool {
    path_only(&a.request.path_and_query) == path_only(&b.request.path_and_query)
        && seq.calls.get(a.call).map(|c| &c.identity) == seq.calls.get(b.call).map(|c| &c.identity)
}

/// True when `node` is a reference to `call` reading `source`.
fn refers(node: Option<&Node>, call: usize, source: &crate::input::RefSource) -> bool {
    matches!(node, Some(Node::Ref(r)) if r.call == call && &r.source == source)
}

/// True when the create's response holds the value `source` reads (else the reference fell back
/// to a placeholder, and a 404 proves nothing).
fn resolvable(create: &Exchange, source: &crate::input::RefSource) -> bool {
    let Ok(response) = &create.outcome else {
        return false;
    };
    let reference = crate::input::Reference {
        call: 0,
        source: source.clone(),
    };
    crate::input::resolve::resolve_ref(&reference, &[Some(response.clone())]).is_some()
}
