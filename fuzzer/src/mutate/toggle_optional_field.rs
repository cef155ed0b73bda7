//! [`ToggleOptionalFieldMutator`]: adds a declared optional object member or parameter that is
//! missing, or drops one that is present; likewise an optional request body.

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::Value;

use super::producers::{object_properties, required_properties};
use super::seq_mutator;
use super::sequence::set_param;
use super::sites::{Site, collect, node_at, node_at_mut};
use crate::generate::Mode;
use crate::input::{Body, Node, RequestSeq};

seq_mutator!(
    /// Adds a missing optional member/parameter (generated valid) or drops a present optional one.
    ToggleOptionalFieldMutator
);

enum Action<'a> {
    AddMember(Site, &'a str, &'a Value),
    DropMember(Site, usize),
    AddParam(usize, usize),
    DropParam(usize, usize),
    /// Give a call without a body one in the operation's first media type.
    AddBody(usize),
    /// Drop the body of a call whose operation does not require one.
    DropBody(usize),
}

impl ToggleOptionalFieldMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let actions = self.actions(seq);
        let Some(action) = actions.choose(rng) else {
            return false;
        };
        self.perform(seq, action, rng)
    }

    /// Every possible addition or removal, in a fixed order.
    fn actions(&self, seq: &RequestSeq) -> Vec<Action<'_>> {
        let ctx = &*self.ctx;
        let mut actions = Vec::new();
        for (site, schema) in collect(ctx, seq, &|n, _| matches!(n, Node::Object(_))) {
            let Some(Node::Object(members)) = node_at(seq, &site) else {
                continue;
            };
            let required = required_properties(&ctx.generator, schema);
            for (name, sub) in object_properties(&ctx.generator, schema) {
                match members.iter().position(|(k, _)| k == name) {
                    Some(i) if !required.contains(&name) => {
                        actions.push(Action::DropMember(site.clone(), i))
                    }
                    None => actions.push(Action::AddMember(site.clone(), name, sub)),
                    Some(_) => {}
                }
            }
        }
        for (ci, call) in seq.calls.iter().enumerate() {
            let Some(op) = ctx.operation(&call.operation) else {
                continue;
            };
            for (di, decl) in op
                .parameters
                .iter()
                .enumerate()
                .filter(|(_, d)| !d.required)
            {
                let present = call.params.iter().position(|p| {
                    p.name == decl.name && p.location == decl.location && p.value.is_some()
                });
                actions.push(match present {
                    Some(pi) => Action::DropParam(ci, pi),
                    None => Action::AddParam(ci, di),
                });
            }
            match (&op.request_body, &call.body) {
                (Some(_), None) => actions.push(Action::AddBody(ci)),
                (Some(rb), Some(_)) if !rb.required => actions.push(Action::DropBody(ci)),
                _ => {}
            }
        }
        actions
    }

    fn perform<R: Rng + ?Sized>(
        &self,
        seq: &mut RequestSeq,
        action: &Action<'_>,
        rng: &mut R,
    ) -> bool {
        let ctx = &*self.ctx;
        match action {
            Action::AddMember(site, name, sub) => {
                let value = ctx.value(sub, Mode::Valid, rng);
                match node_at_mut(seq, site) {
                    Some(Node::Object(members)) => members.push(((*name).to_owned(), value)),
                    _ => return false,
                }
            }
            Action::DropMember(site, i) => match node_at_mut(seq, site) {
                Some(Node::Object(members)) if *i < members.len() => {
                    members.remove(*i);
                }
                _ => return false,
            },
            Action::AddParam(ci, di) => {
                let Some(op) = ctx.operation(&seq.calls[*ci].operation) else {
                    return false;
                };
                let decl = &op.parameters[*di];
                let value = ctx.value(&decl.schema, Mode::Valid, rng);
                set_param(&mut seq.calls[*ci], &decl.name, decl.location, value);
            }
            Action::DropParam(ci, pi) => {
                seq.calls[*ci].params.remove(*pi);
            }
            Action::AddBody(ci) => {
                let call = &seq.calls[*ci];
                let Some(media) = ctx
                    .operation(&call.operation)
                    .and_then(|op| op.request_body.as_ref())
                    .and_then(|rb| rb.content.first())
                else {
                    return false;
                };
                let value = ctx.value(&media.schema, Mode::Valid, rng);
                seq.calls[*ci].body = Some(Body {
                    media_type: media.media_type.clone(),
                    value,
                });
            }
            Action::DropBody(ci) => seq.calls[*ci].body = None,
        }
        true
    }
}
