//! Mass assignment: a write carrying a field the request schema does not declare (or declares
//! `readOnly`) is accepted, and the field's value shows in the object afterwards.
//!
//! Probe fields (see [`probe_fields`]): generic privilege and ownership names (`role: "admin"`,
//! `is_admin: true`, `owner_id`, `id`, `created_at`, …) that the request schema lacks, plus the
//! `readOnly` properties of the operation's success response, each with a sentinel value a
//! server would not pick itself. The prober re-sends a successful write of a non-admin identity
//! with those fields added — once with its original body, once (creates) with a fresh valid
//! body, so unique fields do not collide — followed by a read of the written object when the
//! spec links one. The oracle reports a probe field whose sentinel value comes back in the read,
//! or in the write's own answer when that answer is the stored object (a 201, a `Location`, or
//! the answer of a PUT/PATCH).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Roles, closure, extract, is_write, success};
use crate::campaign::runner::SeqRun;
use crate::generate::Mode;
use crate::input::{Body, Call, Node, ParamValue, RefSource, Reference, RequestSeq};
use crate::mutate::SeqContext;
use crate::mutate::producers::object_properties;
use crate::probe::Prober;
use crate::spec::{Method, Operation, ParamLocation};

const NAME: &str = "mass-assignment";

/// Generic names of fields that confer privilege or ownership, with sentinel values.
fn generic_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("role", json!("admin")),
        ("is_admin", json!(true)),
        ("isAdmin", json!(true)),
        ("owner_id", json!(424_242)),
        ("user_id", json!(424_242)),
        ("id", json!(424_242)),
        ("created_at", json!("2001-01-01T00:00:00Z")),
    ]
}

/// The sentinel for a `readOnly` property of this schema, when its type allows one.
fn sentinel(schema: &Value) -> Option<Value> {
    if schema.get("enum").is_some() || schema.get("const").is_some() {
        return None;
    }
    match schema.get("type").and_then(Value::as_str)? {
        "integer" | "number" => Some(json!(424_242)),
        "string" => Some(match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2001-01-01T00:00:00Z"),
            Some("date") => json!("2001-01-01"),
            Some(_) => return None,
            None => json!("shrike-mass-assignment"),
        }),
        _ => None,
    }
}

/// The JSON request schema of a write.
fn request_schema(op: &Operation) -> Option<&Value> {
    op.request_body
        .as_ref()?
        .content
        .iter()
        .find(|m| m.media_type.contains("json"))
        .map(|m| &m.schema)
}

/// The probe fields of a write operation: name and sentinel value.
pub fn probe_fields(ctx: &SeqContext, op: &Operation) -> Vec<(String, Value)> {
    let Some(schema) = request_schema(op).filter(|_| is_write(op.method)) else {
        return Vec::new();
    };
    let declared = object_properties(&ctx.generator, schema);
    let writable = |name: &str| {
        declared.iter().any(|(n, s)| {
            *n == name && ctx.generator.resolve(s).get("readOnly") != Some(&json!(true))
        })
    };
    let mut out: Vec<(String, Value)> = generic_fields()
        .into_iter()
        .filter(|(n, _)| !writable(n))
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
    let success_schemas = op
        .responses
        .iter()
        .filter(|(k, _)| matches!(k, crate::spec::StatusKey::Code(c) if (200..300).contains(c)))
        .flat_map(|(_, r)| r.content.iter().map(|m| &m.schema));
    for schema in success_schemas {
        for (name, prop) in object_properties(&ctx.generator, schema) {
            let prop = ctx.generator.resolve(prop);
            if prop.get("readOnly") == Some(&json!(true))
                && !writable(name)
                && !out.iter().any(|(n, _)| n == name)
                && let Some(value) = sentinel(prop)
            {
                out.push((name.to_owned(), value));
            }
        }
    }
    out
}

/// The probe fields per operation index.
fn fields_by_op(ctx: &SeqContext) -> HashMap<usize, Vec<(String, Value)>> {
    ctx.model
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| (i, probe_fields(ctx, op)))
        .filter(|(_, f)| !f.is_empty())
        .collect()
}

/// A read of what call `write` wrote, from the spec's links of its success response.
pub(crate) fn read_back(
    ctx: &SeqContext,
    op: &Operation,
    write: usize,
    rng: &mut dyn rand::RngCore,
) -> Option<Call> {
    let link = op
        .responses
        .iter()
        .filter(|(k, _)| matches!(k, crate::spec::StatusKey::Code(c) if (200..300).contains(c)))
        .flat_map(|(_, r)| r.links.iter())
        .find(|l| {
            l.operation_id
                .as_ref()
                .and_then(|id| ctx.operation(id))
                .is_some_and(|t| t.method == Method::Get)
        })?;
    let target = ctx.operation(link.operation_id.as_ref()?)?;
    let mut call = Call::new(target.id.clone());
    for param in &target.parameters {
        let source = link.parameters.get(&param.name).and_then(|expr| {
            if let Some(ptr) = expr.strip_prefix("$response.body#") {
                Some(RefSource::Body(ptr.to_owned()))
            } else {
                expr.strip_prefix("$response.header.")
                    .map(|h| RefSource::Header {
                        name: h.to_owned(),
                        last_segment: false,
                    })
            }
        });
        let value = match source {
            Some(source) => Node::Ref(Reference {
                call: write,
                source,
            }),
            None if param.required => ctx.value(&param.schema, Mode::Valid, rng),
            None => continue,
        };
        if param.location == ParamLocation::Path && !matches!(value, Node::Ref(_)) {
            return None;
        }
        call.params.push(ParamValue {
            name: param.name.clone(),
            location: param.location,
            value: Some(value),
        });
    }
    Some(call)
}

/// `body` (a JSON object) with the probe fields set.
fn with_fields(body: &Node, fields: &[(String, Value)]) -> Option<Node> {
    let Node::Object(members) = body else {
        return None;
    };
    let mut members: Vec<(String, Node)> = members
        .iter()
        .filter(|(n, _)| !fields.iter().any(|(f, _)| f == n))
        .cloned()
        .collect();
    members.extend(
        fields
            .iter()
            .map(|(n, v)| (n.clone(), Node::from(v.clone()))),
    );
    Some(Node::Object(members))
}

pub struct MassAssignmentProber {
    ctx: Arc<SeqContext>,
    roles: Roles,
    fields: HashMap<usize, Vec<(String, Value)>>,
    probed: HashSet<usize>,
}

impl MassAssignmentProber {
    pub fn new(ctx: Arc<SeqContext>, roles: Roles) -> Self {
        let fields = fields_by_op(&ctx);
        MassAssignmentProber {
            ctx,
            roles,
            fields,
            probed: HashSet::new(),
        }
    }

    fn probe(
        &self,
        seq: &RequestSeq,
        k: usize,
        body: Node,
        fields: &[(String, Value)],
        rng: &mut dyn rand::RngCore,
    ) -> Option<RequestSeq> {
        let op = &self.ctx.model.operations[self.ctx.op_index(&seq.calls[k].operation)?];
        let mut indices = closure(seq, k);
        indices.pop();
        let mut probe = extract(seq, &indices);
        let mut write = seq.calls[k].clone();
        write.remap_refs(&|old| indices.iter().position(|&i| i == old));
        let media_type = write.body.as_ref()?.media_type.clone();
        write.body = Some(Body {
            media_type,
            value: with_fields(&body, fields)?,
        });
        let identity = write.identity.clone();
        probe.calls.push(write);
        if let Some(mut read) = read_back(&self.ctx, op, probe.calls.len() - 1, rng) {
            read.identity = identity;
            probe.calls.push(read);
        }
        Some(probe)
    }
}

impl Prober for MassAssignmentProber {
    fn name(&self) -> &'static str {
        NAME
    }

    fn derive(
        &mut self,
        seq: &RequestSeq,
        run: &SeqRun,
        rng: &mut dyn rand::RngCore,
    ) -> Vec<RequestSeq> {
        let mut out = Vec::new();
        for exchange in &run.exchanges {
            let Some(fields) = self.fields.get(&exchange.op) else {
                continue;
            };
            let (Some(call), Some(response)) = (seq.calls.get(exchange.call), success(exchange))
            else {
                continue;
            };
            let Some(body) = call.body.as_ref().map(|b| b.value.clone()) else {
                continue;
            };
            if self.roles.is_admin(self.roles.resolve(call)) || !matches!(body, Node::Object(_)) {
                continue;
            }
            // Fields the plain write already answered with the sentinel prove nothing.
            let baseline = response.json();
            let fields: Vec<(String, Value)> = fields
                .iter()
                .filter(|(n, v)| baseline.as_ref().and_then(|b| b.get(n)) != Some(v))
                .cloned()
                .collect();
            if fields.is_empty() || !self.probed.insert(exchange.op) {
                continue;
            }
            out.extend(self.probe(seq, exchange.call, body, &fields, rng));
            let op = &self.ctx.model.operations[exchange.op];
            if op.method == Method::Post
                && let Some(schema) = request_schema(op)
            {
                let fresh = self.ctx.value(schema, Mode::Valid, rng);
                out.extend(self.probe(seq, exchange.call, fresh, &fields, rng));
            }
        }
        out
    }
}

pub struct MassAssignmentOracle {
    ctx: Arc<SeqContext>,
    roles: Roles,
    fields: HashMap<usize, Vec<(String, Value)>>,
}

impl MassAssignmentOracle {
    pub fn new(ctx: Arc<SeqContext>, roles: Roles) -> Self {
        let fields = fields_by_op(&ctx);
        MassAssignmentOracle { ctx, roles, fields }
    }
}

#[path = "mass_assignment_check.rs"]
mod check;

#[cfg(test)]
#[path = "mass_assignment_tests.rs"]
mod tests;
