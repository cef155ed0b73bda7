//! Sites: addresses of value nodes inside a sequence, paired with the schema that describes them.
//!
//! Value and structure mutators pick a [`Site`] (call, parameter or body, path of child indices),
//! look up its schema by walking the operation's parameter or body schema alongside the node, and
//! replace or edit the node there.

use serde_json::Value;

use super::context::SeqContext;
use super::producers::object_properties;
use crate::input::{Call, Node, RequestSeq};

/// The schema used where the spec says nothing: anything goes.
pub static ANY: Value = Value::Bool(true);

/// The top of a value tree inside a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `call.params[i].value`.
    Param(usize),
    /// `call.body.value`.
    Body,
}

/// The address of one node of a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub call: usize,
    pub root: Root,
    /// Child indices from the root: object member index or array item index.
    pub path: Vec<usize>,
}

/// The schema of a call's parameter, or [`ANY`] for an undeclared one.
pub fn param_schema<'a>(ctx: &'a SeqContext, call: &Call, index: usize) -> &'a Value {
    let (Some(op), Some(p)) = (ctx.operation(&call.operation), call.params.get(index)) else {
        return &ANY;
    };
    op.parameters
        .iter()
        .find(|d| d.name == p.name && d.location == p.location)
        .map_or(&ANY, |d| &d.schema)
}

/// The schema of a call's body for its media type (the first declared one as a fallback).
pub fn body_schema<'a>(ctx: &'a SeqContext, call: &Call) -> &'a Value {
    let op = ctx.operation(&call.operation);
    let Some(rb) = op.and_then(|o| o.request_body.as_ref()) else {
        return &ANY;
    };
    let media = call
        .body
        .as_ref()
        .map(|b| b.media_type.as_str())
        .unwrap_or("");
    rb.content
        .iter()
        .find(|m| m.media_type == media)
        .or_else(|| rb.content.first())
        .map_or(&ANY, |m| &m.schema)
}

/// The schema of a member `key` of an object described by `schema` (resolved).
pub fn member_schema<'a>(ctx: &'a SeqContext, schema: &'a Value, key: &str) -> &'a Value {
    if let Some((_, s)) = object_properties(&ctx.generator, schema)
        .into_iter()
        .find(|(name, _)| *name == key)
    {
        return s;
    }
    match ctx.generator.resolve(schema).get("additionalProperties") {
        Some(s @ Value::Object(_)) => s,
        _ => &ANY,
    }
}

/// The schema of item `index` of an array described by `schema`.
pub fn item_schema<'a>(ctx: &'a SeqContext, schema: &'a Value, index: usize) -> &'a Value {
    let schema = ctx.generator.resolve(schema);
    if let Some(s) = schema
        .get("prefixItems")
        .and_then(Value::as_array)
        .and_then(|p| p.get(index))
    {
        return s;
    }
    match schema.get("items") {
        Some(s @ (Value::Object(_) | Value::Bool(_))) => s,
        _ => &ANY,
    }
}

/// Every node of the sequence that satisfies `keep`, with its schema, in a fixed order.
pub fn collect<'a>(
    ctx: &'a SeqContext,
    seq: &RequestSeq,
    keep: &dyn Fn(&Node, &Value) -> bool,
) -> Vec<(Site, &'a Value)> {
    let mut out = Vec::new();
    for (ci, call) in seq.calls.iter().enumerate() {
        for (pi, p) in call.params.iter().enumerate() {
            if let Some(v) = &p.value {
                let site = Site {
                    call: ci,
                    root: Root::Param(pi),
                    path: Vec::new(),
                };
                walk(ctx, v, param_schema(ctx, call, pi), site, keep, &mut out);
            }
        }
        if let Some(b) = &call.body {
            let site = Site {
                call: ci,
                root: Root::Body,
                path: Vec::new(),
            };
            walk(ctx, &b.value, body_schema(ctx, call), site, keep, &mut out);
        }
    }
    out
}

fn walk<'a>(
    ctx: &'a SeqContext,
    node: &Node,
    schema: &'a Value,
    site: Site,
    keep: &dyn Fn(&Node, &Value) -> bool,
    out: &mut Vec<(Site, &'a Value)>,
) {
    let resolved = ctx.generator.resolve(schema);
    match node {
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut child = site.clone();
                child.path.push(i);
                walk(ctx, item, item_schema(ctx, resolved, i), child, keep, out);
            }
        }
        Node::Object(members) => {
            for (i, (key, value)) in members.iter().enumerate() {
                let mut child = site.clone();
                child.path.push(i);
                walk(
                    ctx,
                    value,
                    member_schema(ctx, resolved, key),
                    child,
                    keep,
                    out,
                );
            }
        }
        _ => {}
    }
    if keep(node, resolved) {
        out.push((site, resolved));
    }
}

/// The node at a site.
pub fn node_at<'s>(seq: &'s RequestSeq, site: &Site) -> Option<&'s Node> {
    let call = seq.calls.get(site.call)?;
    let mut node = match site.root {
        Root::Param(i) => call.params.get(i)?.value.as_ref()?,
        Root::Body => &call.body.as_ref()?.value,
    };
    for &i in &site.path {
        node = match node {
            Node::Array(items) => items.get(i)?,
            Node::Object(members) => &members.get(i)?.1,
            _ => return None,
        };
    }
    Some(node)
}

/// The node at a site, mutably.
pub fn node_at_mut<'s>(seq: &'s mut RequestSeq, site: &Site) -> Option<&'s mut Node> {
    let call = seq.calls.get_mut(site.call)?;
    let mut node = match site.root {
        Root::Param(i) => call.params.get_mut(i)?.value.as_mut()?,
        Root::Body => &mut call.body.as_mut()?.value,
    };
    for &i in &site.path {
        node = match node {
            Node::Array(items) => items.get_mut(i)?,
            Node::Object(members) => &mut members.get_mut(i)?.1,
            _ => return None,
        };
    }
    Some(node)
}

/// The parameter name or object key a site is known by (for matching response fields).
pub fn site_name(seq: &RequestSeq, site: &Site) -> Option<String> {
    let call = seq.calls.get(site.call)?;
    if site.path.is_empty() {
        return match site.root {
            Root::Param(i) => call.params.get(i).map(|p| p.name.clone()),
            Root::Body => None,
        };
    }
    let parent = Site {
        path: site.path[..site.path.len() - 1].to_vec(),
        ..site.clone()
    };
    match node_at(seq, &parent)? {
        Node::Object(members) => members.get(*site.path.last()?).map(|(k, _)| k.clone()),
        _ => None,
    }
}
