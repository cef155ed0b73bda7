//! [`AddUndeclaredFieldMutator`]: adds an object member or query parameter the spec does not
//! declare, with names and values that probe mass assignment (`isAdmin: true`, `role: "admin"`).

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::json;

use super::producers::object_properties;
use super::seq_mutator;
use super::sites::{collect, node_at_mut};
use crate::input::{Node, ParamValue, RequestSeq};
use crate::spec::ParamLocation;

/// Objects and calls never get more members or parameters than this.
const MAX_MEMBERS: usize = 64;

const NAMES: &[&str] = &[
    "admin",
    "isAdmin",
    "is_admin",
    "role",
    "roles",
    "owner",
    "ownerId",
    "user_id",
    "userId",
    "id",
    "price",
    "discount",
    "status",
    "verified",
    "balance",
    "debug",
    "__proto__",
    "constructor",
];

seq_mutator!(
    /// Adds an undeclared member to an object value, or an undeclared query parameter to a call.
    AddUndeclaredFieldMutator
);

fn probe_value<R: Rng + ?Sized>(rng: &mut R) -> Node {
    let values = [
        json!(true),
        json!("admin"),
        json!(0),
        json!(-1),
        json!(999_999_999),
        json!(null),
        json!({"$ne": null}),
        json!(["admin"]),
    ];
    values.choose(rng).map(Node::from).unwrap_or(Node::Null)
}

/// A name not already used: a known probe name, else one with a numeric suffix.
fn fresh_name<R: Rng + ?Sized>(taken: &[&str], rng: &mut R) -> String {
    let base = NAMES.choose(rng).copied().unwrap_or("extra");
    if !taken.contains(&base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|name| !taken.contains(&name.as_str()))
        .unwrap_or_else(|| base.to_owned())
}

impl AddUndeclaredFieldMutator {
    pub fn apply<R: Rng + ?Sized>(&self, seq: &mut RequestSeq, rng: &mut R) -> bool {
        let ctx = &*self.ctx;
        let objects = collect(
            ctx,
            seq,
            &|n, _| matches!(n, Node::Object(m) if m.len() < MAX_MEMBERS),
        );
        let calls: Vec<usize> = (0..seq.calls.len())
            .filter(|&i| seq.calls[i].params.len() < MAX_MEMBERS)
            .collect();
        let total = objects.len() + calls.len();
        if total == 0 {
            return false;
        }
        let pick = rng.random_range(0..total);
        let value = probe_value(rng);
        if let Some((site, schema)) = objects.get(pick) {
            let declared: Vec<&str> = object_properties(&ctx.generator, schema)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            let Some(Node::Object(members)) = node_at_mut(seq, site) else {
                return false;
            };
            let mut taken: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            taken.extend(declared);
            let name = fresh_name(&taken, rng);
            members.push((name, value));
        } else {
            let call = &mut seq.calls[calls[pick - objects.len()]];
            let declared = ctx.operation(&call.operation).map(|op| &op.parameters);
            let mut taken: Vec<&str> = call.params.iter().map(|p| p.name.as_str()).collect();
            taken.extend(declared.into_iter().flatten().map(|d| d.name.as_str()));
            let name = fresh_name(&taken, rng);
            call.params.push(ParamValue {
                name,
                location: ParamLocation::Query,
                value: Some(value),
            });
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn fresh_names_avoid_taken_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let taken: Vec<&str> = NAMES.to_vec();
        for _ in 0..20 {
            let name = fresh_name(&taken, &mut rng);
            assert!(!taken.contains(&name.as_str()), "{name}");
        }
    }
}
