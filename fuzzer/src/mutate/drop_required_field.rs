//! [`DropRequiredFieldMutator`]: removes a member an object schema requires, a required parameter,
//! or a required body.

use rand::Rng;
use rand::seq::IndexedRandom;

use super::producers::required_properties;
use super::seq_mutator;
use super::sites::{Site, collect, node_at, node_at_mut};
use crate::input::{Node, RequestSeq};

seq_mutator!(
    /// Drops something the spec requires: an object member, a parameter or the request body.
    DropRequiredFieldMutator
);

enum Action {
    Member(Site, usize),
    Param(usize, usize),
    Body(usize),
}

impl DropRequiredFieldMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        let mut actions = Vec::new();
        for (site, schema) in collect(ctx, seq, &|n, _| matches!(n, Node::Object(_))) {
            let Some(Node::Object(members)) = node_at(seq, &site) else {
                continue;
            };
            let required = required_properties(&ctx.generator, schema);
            for (i, (key, _)) in members.iter().enumerate() {
                if required.contains(&key.as_str()) {
                    actions.push(Action::Member(site.clone(), i));
                }
            }
        }
        for (ci, call) in seq.calls.iter().enumerate() {
            let Some(op) = ctx.operation(&call.operation) else {
                continue;
            };
            for (pi, p) in call.params.iter().enumerate() {
                let required = op
                    .parameters
                    .iter()
                    .any(|d| d.required && d.name == p.name && d.location == p.location);
                if required && p.value.is_some() {
                    actions.push(Action::Param(ci, pi));
                }
            }
            if call.body.is_some() && op.request_body.as_ref().is_some_and(|b| b.required) {
                actions.push(Action::Body(ci));
            }
        }
        let Some(action) = actions.choose(rng) else {
            return false;
        };
        match action {
            Action::Member(site, i) => match node_at_mut(seq, site) {
                Some(Node::Object(members)) if *i < members.len() => {
                    members.remove(*i);
                }
                _ => return false,
            },
            Action::Param(ci, pi) => {
                seq.calls[*ci].params.remove(*pi);
            }
            Action::Body(ci) => seq.calls[*ci].body = None,
        }
        true
    }
}
